"""Database layer: schema, migrations, import, corrections, audit and as-known-on reads."""
