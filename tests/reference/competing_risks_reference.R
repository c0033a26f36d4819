# Reference values for monitoring/survival/competing_risks.py (and `survival cif`), from
# R's cmprsk package: cumulative incidence (Aalen–Johansen) with Gray's variance, read at
# given times, and Gray's test.
#
# Run from the repository root:
#   Rscript tests/reference/competing_risks_reference.R
# It writes tests/reference/competing_risks_reference.json; the tests read that file and
# never call R. For each case (status 0 censored, `cause` the event of interest, `competing`
# the competing event; group NULL or a character vector):
#   fit <- cuminc(time, status, group, cencode = 0)         # group absent: one curve
#   curve <- fit[[paste(level, cause)]]                     # $time, $est, $var (step corners)
#   tp <- timepoints(fit, times)                            # $est, $var at `times` (NA past
#                                                           # a group's last follow-up)
#   fit$Tests[as.character(cause), ]                        # Gray's test: stat, pv, df
# Numbers are written with 15 significant digits; NA as null.

suppressPackageStartupMessages({
  library(cmprsk)
  library(jsonlite)
})

cif_case <- function(name, description, time, status, cause, competing, times,
                     group = NULL) {
  if (is.null(group)) {
    fit <- cuminc(time, status, cencode = 0)
    levels <- "1"
  } else {
    group <- as.character(group)
    levels <- sort(unique(group), method = "radix")
    fit <- cuminc(time, status, factor(group, levels = levels), cencode = 0)
  }
  tp <- timepoints(fit, times)
  curves <- lapply(levels, function(lv) {
    key <- paste(lv, cause)
    cur <- fit[[key]]
    list(group = if (is.null(group)) NULL else lv,
         corner_time = cur$time, corner_est = cur$est, corner_var = cur$var,
         cif = unname(tp$est[key, ]), var = unname(tp$var[key, ]))
  })
  gray <- NULL
  if (!is.null(group)) {
    tst <- fit$Tests[as.character(cause), ]
    gray <- list(stat = unname(tst["stat"]), p = unname(tst["pv"]), df = unname(tst["df"]))
  }
  list(name = name, description = description, time = time, status = status, group = group,
       cause = cause, competing = competing, times = times, curves = curves, gray = gray)
}

set.seed(2)
ss <- rexp(100)
gg <- sample(c("a", "b", "c"), 100, replace = TRUE)
cc <- sample(0:2, 100, replace = TRUE)

# Relapse (1) against death in remission (2), monthly visits so that times tie, two arms.
set.seed(20261207)
n <- 200
arm <- rep(c("A", "B"), n / 2)
relapse <- rexp(n, ifelse(arm == "B", 0.0006, 0.001))
death <- rexp(n, 0.0003)
censor <- runif(n, 200, 2000)
first <- pmin(relapse, death, censor)
rel_t <- ceiling(first / 30) * 30
rel_s <- ifelse(first == censor, 0, ifelse(first == relapse, 1, 2))

cases <- list(
  cif_case("cmprsk_example_cause1", "cmprsk's cuminc example data, cause 1 against 2",
           ss, cc, 1, 2, c(0.1, 0.5, 1, 2, 3, 10), gg),
  cif_case("cmprsk_example_cause2", "the same data, cause 2 against 1",
           ss, cc, 2, 1, c(0.1, 0.5, 1, 2, 3, 10), gg),
  cif_case("cmprsk_example_pooled", "the same data, no groups", ss, cc, 1, 2,
           c(0.25, 1, 2.5)),
  cif_case("relapse_monthly_by_arm", "relapse against death in remission, monthly ties, two arms",
           rel_t, rel_s, 1, 2, c(0, 30, 180, 365, 730, 1095, 5000), arm),
  cif_case("relapse_monthly_codes_3_4", "the same with codes 3 (relapse) and 4 (death)",
           rel_t, ifelse(rel_s == 0, 0, rel_s + 2), 3, 4, c(180, 365, 730), arm),
  cif_case("small_ties", "hand-made: tied events of both causes and censorings",
           c(1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 1, 2, 2, 2, 3, 4, 4, 6, 7, 8),
           c(1, 2, 0, 1, 1, 2, 1, 0, 1, 2, 0, 1, 2, 1, 1, 0, 1, 2, 2, 1, 0, 1),
           1, 2, c(0.5, 1, 2, 3.5, 6, 7, 8, 9),
           c(rep("x", 12), rep("y", 10)))
)

out <- list(
  generated_by = "tests/reference/competing_risks_reference.R",
  r_version = R.version.string,
  cmprsk_version = as.character(packageVersion("cmprsk")),
  cases = cases
)
write_json(out, "tests/reference/competing_risks_reference.json", auto_unbox = TRUE,
           digits = 15, na = "null", pretty = FALSE, null = "null")
cat("wrote tests/reference/competing_risks_reference.json with", length(cases), "cases\n")
