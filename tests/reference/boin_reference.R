# Reference values for monitoring/designs/dose_finding (BOIN), produced by the R package BOIN.
#
# Run from the repository root (needs R, BOIN 2.7.2 and jsonlite; the tests never call R):
#   Rscript tests/reference/boin_reference.R
# It writes tests/reference/boin_reference.json. Every number comes from one of these calls:
#   get.boundary(target, ncohort, cohortsize, n.earlystop, p.saf, p.tox, cutoff.eli,
#                extrasafe, offset)                 # lambda_e, lambda_d, full_boundary_tab,
#                                                   # boundary_tab, stop_boundary
#   select.mtd(target, npts, ntox, cutoff.eli, extrasafe, offset, boundMTD)
#                                                   # MTD, p_est$phat, p_overdose (2 decimals)
#   Iso::pava(phat, w)                              # the isotonic estimates to 15 digits
#   get.oc(target, p.true, ncohort, cohortsize, n.earlystop, extrasafe = , ntrial, seed)
# Numbers are written with 15 significant digits; NA is written as null.

suppressPackageStartupMessages({
  library(BOIN)
  library(jsonlite)
})

na_null <- function(x) lapply(as.numeric(x), function(v) if (is.na(v)) NULL else v)

boundary_cases <- list(
  list(name = "target 0.3, 10 cohorts of 3", target = 0.3, ncohort = 10, cohortsize = 3,
       n.earlystop = 100, p.saf = 0.18, p.tox = 0.42, extrasafe = FALSE),
  list(name = "target 0.25, 10 cohorts of 3", target = 0.25, ncohort = 10, cohortsize = 3,
       n.earlystop = 100, p.saf = 0.15, p.tox = 0.35, extrasafe = FALSE),
  list(name = "target 0.3, extrasafe", target = 0.3, ncohort = 10, cohortsize = 3,
       n.earlystop = 100, p.saf = 0.18, p.tox = 0.42, extrasafe = TRUE),
  list(name = "target 0.25, extrasafe", target = 0.25, ncohort = 10, cohortsize = 3,
       n.earlystop = 100, p.saf = 0.15, p.tox = 0.35, extrasafe = TRUE),
  list(name = "target 0.3, n.earlystop 12", target = 0.3, ncohort = 10, cohortsize = 3,
       n.earlystop = 12, p.saf = 0.18, p.tox = 0.42, extrasafe = FALSE),
  list(name = "target 0.2, phi1 0.1, phi2 0.3, cohorts of 1", target = 0.2, ncohort = 30,
       cohortsize = 1, n.earlystop = 100, p.saf = 0.1, p.tox = 0.3, extrasafe = FALSE),
  list(name = "target 0.33, 12 cohorts of 3", target = 0.33, ncohort = 12, cohortsize = 3,
       n.earlystop = 100, p.saf = 0.6 * 0.33, p.tox = 1.4 * 0.33, extrasafe = FALSE)
)

boundaries <- lapply(boundary_cases, function(cs) {
  b <- get.boundary(cs$target, cs$ncohort, cs$cohortsize, n.earlystop = cs$n.earlystop,
                    p.saf = cs$p.saf, p.tox = cs$p.tox, cutoff.eli = 0.95,
                    extrasafe = cs$extrasafe, offset = 0.05)
  full <- if (cs$cohortsize > 1) b$full_boundary_tab else b$boundary_tab
  tab <- b$boundary_tab
  out <- list(name = cs$name,
              call = sprintf(paste0("get.boundary(target = %s, ncohort = %d, cohortsize = %d, ",
                                    "n.earlystop = %d, p.saf = %s, p.tox = %s, cutoff.eli = 0.95, ",
                                    "extrasafe = %s, offset = 0.05)"),
                             cs$target, cs$ncohort, cs$cohortsize, cs$n.earlystop,
                             format(cs$p.saf, digits = 15), format(cs$p.tox, digits = 15),
                             cs$extrasafe),
              target = cs$target, ncohort = cs$ncohort, cohortsize = cs$cohortsize,
              n_earlystop = cs$n.earlystop, p_saf = cs$p.saf, p_tox = cs$p.tox,
              extrasafe = cs$extrasafe,
              lambda_e = b$lambda_e, lambda_d = b$lambda_d,
              full = list(n = as.numeric(full[1, ]), escalate = na_null(full[2, ]),
                          deescalate = na_null(full[3, ]), eliminate = na_null(full[4, ])),
              table = list(n = as.numeric(tab[1, ]), escalate = na_null(tab[2, ]),
                           deescalate = na_null(tab[3, ]), eliminate = na_null(tab[4, ])))
  if (cs$extrasafe) {
    out$stop_boundary <- list(n = as.numeric(b$stop_boundary[1, ]),
                              stop = na_null(b$stop_boundary[2, ]))
  }
  out
})

# select.mtd: hand-written cases (ties, elimination, untreated doses, lowest dose too toxic)
# then random ones.
mtd_cases <- list(
  list(target = 0.3, n = c(3, 6, 12, 9, 3), y = c(0, 1, 3, 5, 2)),
  list(target = 0.3, n = c(3, 3, 15, 9, 0), y = c(0, 0, 4, 4, 0)),
  list(target = 0.3, n = c(3, 6, 9, 0, 0), y = c(0, 0, 3, 0, 0)),
  list(target = 0.3, n = c(6, 6, 6, 6, 0), y = c(1, 1, 1, 1, 0)),
  list(target = 0.3, n = c(6, 6, 6, 6, 6), y = c(3, 3, 3, 3, 3)),
  list(target = 0.3, n = c(3, 0, 0, 0, 0), y = c(3, 0, 0, 0, 0)),
  list(target = 0.3, n = c(6, 0, 0, 0, 0), y = c(4, 0, 0, 0, 0)),
  list(target = 0.3, n = c(6, 0, 0, 0, 0), y = c(3, 0, 0, 0, 0)),
  list(target = 0.3, n = c(9, 6, 0, 0, 0), y = c(4, 3, 0, 0, 0)),
  list(target = 0.3, n = c(3, 3, 3, 3, 3), y = c(0, 0, 0, 0, 0)),
  list(target = 0.3, n = c(6, 9, 3, 0, 0), y = c(2, 1, 3, 0, 0)),
  list(target = 0.3, n = c(3, 9, 12, 6, 0), y = c(1, 2, 4, 1, 0)),
  list(target = 0.25, n = c(3, 6, 15, 6, 0), y = c(0, 1, 4, 3, 0)),
  list(target = 0.25, n = c(9, 12, 6, 3, 0), y = c(2, 3, 3, 3, 0)),
  list(target = 0.25, n = c(3, 3, 6, 6, 12), y = c(0, 0, 1, 1, 3)),
  list(target = 0.25, n = c(0, 3, 9, 9, 0), y = c(0, 0, 2, 4, 0))
)
set.seed(2015)
for (i in 1:150) {
  ndose <- sample(3:6, 1)
  n <- sample(c(0, 3, 6, 9, 12, 15), ndose, replace = TRUE)
  if (all(n == 0)) n[1] <- 3
  p <- sort(runif(ndose, 0, 0.7))
  y <- rbinom(ndose, n, p)
  mtd_cases[[length(mtd_cases) + 1]] <- list(target = sample(c(0.25, 0.3), 1), n = n, y = y)
}

pava_phat <- function(n, y) {
  trtd <- n != 0
  if (sum(trtd) == 0) return(numeric(0))
  yt <- y[trtd]; nt <- n[trtd]
  w <- 1 / ((yt + 0.05) * (nt - yt + 0.05) / ((nt + 0.1)^2 * (nt + 0.1 + 1)))
  Iso::pava((yt + 0.05) / (nt + 0.1), w)
}

selections <- list()
for (cs in mtd_cases) {
  for (extrasafe in c(FALSE, TRUE)) {
    for (boundMTD in c(FALSE, TRUE)) {
      s <- select.mtd(cs$target, cs$n, cs$y, cutoff.eli = 0.95, extrasafe = extrasafe,
                      offset = 0.05, boundMTD = boundMTD)
      selections[[length(selections) + 1]] <- list(
        call = sprintf(paste0("select.mtd(target = %s, npts = c(%s), ntox = c(%s), ",
                              "cutoff.eli = 0.95, extrasafe = %s, offset = 0.05, boundMTD = %s)"),
                       cs$target, paste(cs$n, collapse = ", "), paste(cs$y, collapse = ", "),
                       extrasafe, boundMTD),
        target = cs$target, n = cs$n, y = cs$y, extrasafe = extrasafe, boundMTD = boundMTD,
        mtd = if (s$MTD == 99) NULL else s$MTD,
        phat = as.character(s$p_est$phat), p_overdose = as.character(s$p_overdose),
        isotonic = pava_phat(cs$n, cs$y))
    }
  }
}

oc_cases <- list(
  list(target = 0.3, p.true = c(0.05, 0.15, 0.3, 0.45, 0.6), ncohort = 10, cohortsize = 3,
       n.earlystop = 100, extrasafe = FALSE),
  list(target = 0.3, p.true = c(0.3, 0.45, 0.55, 0.6, 0.7), ncohort = 10, cohortsize = 3,
       n.earlystop = 100, extrasafe = TRUE),
  list(target = 0.25, p.true = c(0.02, 0.05, 0.1, 0.25, 0.4), ncohort = 10, cohortsize = 3,
       n.earlystop = 12, extrasafe = FALSE),
  list(target = 0.25, p.true = c(0.45, 0.55, 0.6, 0.7, 0.8), ncohort = 10, cohortsize = 3,
       n.earlystop = 100, extrasafe = FALSE)
)
NTRIAL <- 10000
ocs <- lapply(oc_cases, function(cs) {
  o <- get.oc(cs$target, cs$p.true, cs$ncohort, cs$cohortsize, n.earlystop = cs$n.earlystop,
              extrasafe = cs$extrasafe, ntrial = NTRIAL, seed = 6)
  list(call = sprintf(paste0("get.oc(target = %s, p.true = c(%s), ncohort = %d, cohortsize = %d, ",
                             "n.earlystop = %d, extrasafe = %s, ntrial = %d, seed = 6)"),
                      cs$target, paste(cs$p.true, collapse = ", "), cs$ncohort, cs$cohortsize,
                      cs$n.earlystop, cs$extrasafe, NTRIAL),
       target = cs$target, p_true = cs$p.true, ncohort = cs$ncohort, cohortsize = cs$cohortsize,
       n_earlystop = cs$n.earlystop, extrasafe = cs$extrasafe, ntrial = NTRIAL,
       selpercent = o$selpercent, npatients = o$npatients, ntox = o$ntox,
       totaln = o$totaln, totaltox = o$totaltox, percentstop = o$percentstop)
})

out <- list(generated_by = "tests/reference/boin_reference.R", r_version = R.version.string,
            boin_version = as.character(packageVersion("BOIN")),
            boundaries = boundaries, selections = selections, oc = ocs)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), null = "null", na = "null"),
           "tests/reference/boin_reference.json")
