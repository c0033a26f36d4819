# Reference values for monitoring/survival.py, produced by R's survival package.
#
# Run from the repository root:
#   Rscript tests/reference/survival_reference.R
# It writes tests/reference/survival_reference.json. The tests read that file and never
# call R. Every number in it comes from one of these calls (conf.type in log-log, plain, log):
#   fit <- survfit(Surv(time, status) ~ 1, conf.type = ct)          # rows: summary(fit, censored = TRUE)
#   summary(fit, rmean = H)$table                                    # median, LCL, UCL, rmean, se(rmean)
#   quantile(fit, probs = PROBS)                                     # quantiles with CI
#   summary(fit, times = LANDMARKS, extend = TRUE)                   # landmark rows
#   survfit(Surv(time, 1 - status) ~ 1, conf.type = "log-log")       # reverse KM follow-up
#   survdiff(Surv(time, status) ~ group)                             # log-rank
#   survfit(..., conf.int = 0.90 or 0.80)                            # other levels (level_cases)
# Grouped cases use survfit(Surv(time, status) ~ group) and take each stratum with fit[i].
# Numbers are written with 15 significant digits; NA, NaN and Inf are written as strings.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

CONF_TYPES <- c("log-log", "plain", "log")
PROBS <- c(0.1, 0.25, 0.5, 0.75, 0.9)

rows_of <- function(fit) {
  s <- summary(fit, censored = TRUE)
  list(
    time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
    surv = s$surv, std_err = s$std.err, std_err_log = fit$std.err,
    lower = s$lower, upper = s$upper
  )
}

table_of <- function(fit) {
  tab <- summary(fit)$table
  list(records = unname(tab["records"]), events = unname(tab["events"]),
       n_max = unname(tab["n.max"]), n_start = unname(tab["n.start"]),
       median = unname(tab["median"]), lcl = unname(tab[paste0(fit$conf.int, "LCL")]),
       ucl = unname(tab[paste0(fit$conf.int, "UCL")]))
}

quantiles_of <- function(fit) {
  q <- quantile(fit, probs = PROBS)
  list(probs = PROBS, quantile = unname(q$quantile), lower = unname(q$lower),
       upper = unname(q$upper))
}

landmarks_of <- function(fit, times) {
  s <- summary(fit, times = times, extend = TRUE)
  list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       cum_event = cumsum(s$n.event), cum_censor = cumsum(s$n.censor),
       surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
}

rmean_of <- function(fit, horizons) {
  lapply(horizons, function(h) {
    tab <- summary(fit, rmean = h)$table
    list(horizon = h, rmean = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
  })
}

default_landmarks <- function(time, status) {
  ev <- sort(unique(time[status == 1]))
  tmax <- max(time)
  cand <- c(0, tmax / 4, tmax / 2, tmax, tmax * 1.25 + 1)
  if (length(ev) > 0) cand <- c(cand, ev[ceiling(length(ev) / 2)])
  sort(unique(round(cand, 3)))
}

default_horizons <- function(time) {
  tmax <- max(time)
  # R refuses a horizon below the smallest time ("Truncation point ... < smallest survival").
  h <- sort(unique(c(round(tmax / 3, 3), tmax, round(tmax * 1.5, 3))))
  h[h >= min(time)]
}

# One curve: rows, table, quantiles and landmarks for each conf.type, plus rmean.
curve_of <- function(make_fit, time, status, landmarks, horizons) {
  by_type <- lapply(CONF_TYPES, function(ct) {
    fit <- make_fit(ct)
    list(rows = rows_of(fit), table = table_of(fit), quantiles = quantiles_of(fit),
         landmarks = landmarks_of(fit, landmarks))
  })
  names(by_type) <- CONF_TYPES
  list(by_conf_type = by_type, rmean = rmean_of(make_fit("log-log"), horizons))
}

followup_of <- function(time, status) {
  fit <- survfit(Surv(time, 1 - status) ~ 1, conf.type = "log-log")
  table_of(fit)
}

single_case <- function(name, description, time, status) {
  landmarks <- default_landmarks(time, status)
  horizons <- default_horizons(time)
  make_fit <- function(ct) survfit(Surv(time, status) ~ 1, conf.type = ct)
  list(name = name, description = description, time = time, status = status,
       group = NULL, landmarks = landmarks, horizons = horizons,
       curve = curve_of(make_fit, time, status, landmarks, horizons),
       followup = followup_of(time, status))
}

grouped_case <- function(name, description, time, status, group) {
  group <- as.character(group)
  levels <- sort(unique(group))
  landmarks <- default_landmarks(time, status)
  horizons <- default_horizons(time)
  gf <- factor(group, levels = levels)
  strata <- lapply(seq_along(levels), function(i) {
    make_fit <- function(ct) survfit(Surv(time, status) ~ gf, conf.type = ct)[i]
    keep <- group == levels[i]
    list(label = levels[i],
         curve = curve_of(make_fit, time[keep], status[keep], landmarks, horizons),
         followup = followup_of(time[keep], status[keep]))
  })
  sd <- survdiff(Surv(time, status) ~ gf)
  expected <- as.numeric(sd$exp)
  list(name = name, description = description, time = time, status = status,
       group = group, landmarks = landmarks, horizons = horizons,
       overall = curve_of(function(ct) survfit(Surv(time, status) ~ 1, conf.type = ct),
                          time, status, landmarks, horizons),
       followup = followup_of(time, status),
       strata = strata,
       survdiff = list(levels = levels, n = as.numeric(sd$n), observed = as.numeric(sd$obs),
                       expected = expected, var = unname(sd$var), chisq = sd$chisq,
                       df = sum(expected > 0) - 1, p_value = sd$pvalue))
}

lung_t <- survival::lung$time
lung_s <- as.integer(survival::lung$status == 2)
aml_t <- survival::aml$time
aml_s <- survival::aml$status
vet_t <- survival::veteran$time
vet_s <- survival::veteran$status
ova_t <- survival::ovarian$futime
ova_s <- survival::ovarian$fustat

set.seed(20261125)
rc_n <- 60
rc_g <- rep(c("A", "B", "C"), each = rc_n / 3)
rc_t <- round(rexp(rc_n, rate = c(A = 0.02, B = 0.03, C = 0.05)[rc_g]), 1)
rc_c <- round(runif(rc_n, 10, 80), 1)
rc_s <- as.integer(rc_t <= rc_c)
rc_t <- pmin(rc_t, rc_c)

cases <- list(
  single_case("lung", "survival::lung, status 2 = death", lung_t, lung_s),
  single_case("aml", "survival::aml", aml_t, aml_s),
  single_case("veteran", "survival::veteran", vet_t, vet_s),
  single_case("ovarian", "survival::ovarian (futime, fustat)", ova_t, ova_s),
  grouped_case("lung_by_sex", "survival::lung by sex", lung_t, lung_s, survival::lung$sex),
  grouped_case("aml_by_x", "survival::aml by x", aml_t, aml_s, survival::aml$x),
  grouped_case("veteran_by_trt", "survival::veteran by trt", vet_t, vet_s,
               survival::veteran$trt),
  grouped_case("random_three_groups", "seeded exponential times, 3 groups, uniform censoring",
               rc_t, rc_s, rc_g),
  single_case("ties", "tied event times and a censoring tied with events",
              c(1, 1, 1, 2, 2, 3, 4, 4, 5, 6), c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1)),
  single_case("censor_tied_with_event", "censorings at the same times as events",
              c(2, 2, 2, 3, 3, 5, 5, 5, 8, 8), c(1, 0, 0, 1, 0, 1, 1, 0, 1, 0)),
  single_case("last_censored", "last observation censored",
              c(1, 3, 4, 6, 8, 10), c(1, 1, 0, 1, 1, 0)),
  single_case("last_event", "last observation an event (curve reaches 0)",
              c(1, 3, 4, 6, 8, 10), c(1, 0, 1, 1, 0, 1)),
  single_case("median_not_reached", "curve never reaches 0.5",
              c(2, 4, 6, 8, 10, 12, 14, 16), c(1, 0, 0, 1, 0, 0, 0, 0)),
  single_case("midpoint", "curve exactly 0.5 from t=5 to t=8 (median 6.5)",
              1:10, c(1, 1, 1, 1, 1, 0, 0, 1, 0, 1)),
  single_case("midpoint_flat_to_end", "curve exactly 0.5 from t=2 to the last (censored) time",
              c(1, 2, 3, 4), c(1, 1, 0, 0)),
  single_case("single_event", "one patient, an event", 5, 1),
  single_case("single_censored", "one patient, censored", 5, 0),
  single_case("all_censored", "no events", c(3, 5, 7, 9), c(0, 0, 0, 0)),
  single_case("all_events", "no censoring, with a tie", c(3, 5, 5, 7, 9, 12), rep(1, 6)),
  single_case("events_at_zero", "events and a censoring at time 0 (EFS non-remission)",
              c(0, 0, 0, 3, 5, 8, 10, 12), c(1, 1, 0, 1, 0, 1, 1, 0)),
  single_case("fractional_times", "non-integer times with ties",
              c(0.5, 1.25, 1.25, 2.75, 3.1, 3.1, 4.0, 6.6, 7.2, 9.9),
              c(1, 1, 0, 1, 1, 1, 0, 1, 0, 0))
)

# Other confidence levels: survfit(Surv(time, status) ~ 1, conf.type = ct, conf.int = 0.90).
level_case <- function(name, time, status, level) {
  by_type <- lapply(CONF_TYPES, function(ct) {
    fit <- survfit(Surv(time, status) ~ 1, conf.type = ct, conf.int = level)
    list(rows = rows_of(fit), table = table_of(fit), quantiles = quantiles_of(fit))
  })
  names(by_type) <- CONF_TYPES
  list(name = name, conf_level = level, time = time, status = status, by_conf_type = by_type)
}

level_cases <- list(
  level_case("lung_90", lung_t, lung_s, 0.90),
  level_case("aml_80", aml_t, aml_s, 0.80)
)

# The default protocol's [survival] settings on lung: landmarks 6, 12, 36 months and RMST
# horizon 12 months, 1 month = 30.4375 days (monitoring/protocols/ino-lowdose-ph2.toml).
# summary(fit, times = ..., extend = FALSE) drops the 36-month landmark (after 1022 days).
protocol_lung <- local({
  fit <- survfit(Surv(lung_t, lung_s) ~ 1, conf.type = "log-log")
  days <- c(6, 12, 36) * 30.4375
  s <- summary(fit, times = days, extend = FALSE)
  list(days = days, landmarks = list(time = s$time, n_risk = s$n.risk, surv = s$surv,
                                     lower = s$lower, upper = s$upper),
       rmean = rmean_of(fit, 12 * 30.4375)[[1]],
       table = table_of(fit), followup = followup_of(lung_t, lung_s))
})

out <- list(
  generated_by = "tests/reference/survival_reference.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cases = cases,
  level_cases = level_cases,
  protocol_lung = protocol_lung
)
write_json(out, "tests/reference/survival_reference.json", auto_unbox = TRUE,
           digits = NA, na = "string", pretty = FALSE, null = "null")
cat("wrote tests/reference/survival_reference.json with", length(cases), "cases\n")
