# Reference Kaplan-Meier estimates of OS and PFS on the pharmaverseadam ADTTE, by R's survival.
#
# Run from the repository root (needs R, survival and jsonlite; the tests never call R):
#   Rscript tests/reference/pharmaverseadam_km.R
# It writes tests/reference/pharmaverseadam_km.json. For each PARAMCD the numbers come from
#   survfit(Surv(AVAL, 1 - CNSR) ~ 1, data = adtte[adtte$PARAMCD == p, ], conf.type = "log-log")
# on tests/data/pharmaverseadam/adtte_onco.csv (AVAL in days, CNSR 0 = event): the times with
# an event or a censoring, the survival, its log-log 95% interval, the numbers at risk and of
# events, and the median. Numbers are written with 15 significant digits (jsonlite digits = NA); NA as null.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

adtte <- read.csv("tests/data/pharmaverseadam/adtte_onco.csv", stringsAsFactors = FALSE)

fit_of <- function(p) {
  d <- adtte[adtte$PARAMCD == p, ]
  fit <- survfit(Surv(AVAL, 1 - CNSR) ~ 1, data = d, conf.type = "log-log")
  s <- summary(fit, censored = TRUE)
  list(
    paramcd = p,
    call = sprintf("survfit(Surv(AVAL, 1 - CNSR) ~ 1, conf.type = \"log-log\") on PARAMCD %s", p),
    n = nrow(d),
    events = sum(d$CNSR == 0),
    time = s$time,
    n_risk = s$n.risk,
    n_event = s$n.event,
    surv = s$surv,
    lower = s$lower,
    upper = s$upper,
    median = unname(summary(fit)$table["median"])
  )
}

out <- list(
  source = "tests/data/pharmaverseadam/adtte_onco.csv",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  fits = lapply(c("OS", "PFS"), fit_of)
)
writeLines(
  toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
  "tests/reference/pharmaverseadam_km.json"
)
