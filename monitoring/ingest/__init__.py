"""Readers of data kept outside the product (CDISC datasets, REDCap exports) into its tables."""
