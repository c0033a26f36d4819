# Reference values pasted into tests/test_estimates.py (run: Rscript tests/r_reference/estimates.R).
# R 4, base stats only. Not called by the tests.

cat("# binom.test(x, n, conf.level = level)$conf.int\n")
for (v in list(c(0, 18, .95), c(18, 18, .95), c(7, 18, .95), c(21, 48, .95), c(0, 1, .95),
               c(1, 1, .95), c(3, 10, .95), c(1, 48, .95), c(47, 48, .95), c(0, 18, .90),
               c(7, 18, .90))) {
  ci <- binom.test(v[1], v[2], conf.level = v[3])$conf.int
  cat(sprintf("(%d, %d, %.2f, %.17g, %.17g),\n", v[1], v[2], v[3], ci[1], ci[2]))
}

cat("# qbeta(c((1 - level) / 2, (1 + level) / 2), a + x, b + n - x)\n")
for (v in list(c(.5, .5, 7, 18, .95), c(.5, .5, 0, 18, .95), c(.5, .5, 18, 18, .95),
               c(.5, .5, 21, 48, .95), c(1, 1, 3, 10, .95), c(.4, 1.6, 4, 8, .95),
               c(.5, .5, 0, 0, .95), c(.5, .5, 7, 18, .90))) {
  q <- qbeta(c((1 - v[5]) / 2, (1 + v[5]) / 2), v[1] + v[3], v[2] + v[4] - v[3])
  cat(sprintf("(%g, %g, %d, %d, %.2f, %.17g, %.17g),\n", v[1], v[2], v[3], v[4], v[5], q[1], q[2]))
}

# Predictive probability of passing stage 1 (>= need1 of m1 unknown stage-1 patients) and
# reaching the final criterion (>= need of all m1 + m2 unknown), p ~ Beta(a, b), by numerical
# integration over p: a different route from the code's beta-binomial sums.
pp <- function(a, b, m1, need1, m2, need) {
  y <- need1:m1
  integrate(function(p) sapply(p, function(q)
    sum(dbinom(y, m1, q) * pbinom(need - y - 1, m2, q, lower.tail = FALSE))) * dbeta(p, a, b),
    0, 1, rel.tol = 1e-13, abs.tol = 0)$value
}
cat("# predictive\n")
cat(sprintf("%.17g", c(pp(0.5, 0.5, 18, 7, 30, 21), pp(3.5, 5.5, 10, 4, 30, 18),
                         pp(5.5, 10.5, 3, 2, 30, 16), pp(9.5, 12.5, 0, 0, 27, 12))), sep = "\n")
