# Reference values for `survival compare` (monitoring/survival/arms.py, cox.py, logrank.py):
# the two-group Cox model with Efron ties and the log-rank test, plain and stratified, from
# R's survival package.
#
# Run from the repository root:
#   Rscript tests/reference/survival_compare_reference.R
# It writes tests/reference/survival_compare_reference.json; the tests read that file and
# never call R. For each case (group a character vector, the first sorted level the
# reference; strata NULL or a character vector):
#   fit <- coxph(Surv(time, event) ~ g [+ strata(s)], ties = "efron",
#                control = coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 100))
#   coef(fit), sqrt(vcov(fit)), exp(coef), exp(confint(fit)) (95 % Wald), the Wald p-value
#   summary(fit)$coefficients[, "Pr(>|z|)"], fit$loglik[2]
#   sd <- survdiff(Surv(time, event) ~ g [+ strata(s)]); sd$chisq, df, sd$pvalue
# Numbers are written with 15 significant digits.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

compare_case <- function(name, description, time, event, group, strata = NULL) {
  group <- as.character(group)
  levels <- sort(unique(group), method = "radix")
  g <- factor(group, levels = levels)
  ctl <- coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 100)
  if (is.null(strata)) {
    fit <- coxph(Surv(time, event) ~ g, ties = "efron", control = ctl)
    sd <- survdiff(Surv(time, event) ~ g)
  } else {
    strata <- as.character(strata)
    fit <- coxph(Surv(time, event) ~ g + strata(strata), ties = "efron", control = ctl)
    sd <- survdiff(Surv(time, event) ~ g + strata(strata))
  }
  ci <- exp(confint(fit))
  expected <- if (is.matrix(sd$exp)) rowSums(sd$exp) else as.numeric(sd$exp)
  list(
    name = name, description = description, time = time, event = event, group = group,
    strata = strata, levels = levels,
    cox = list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
               hr = unname(exp(coef(fit))), lower = unname(ci[, 1]), upper = unname(ci[, 2]),
               p_wald = unname(summary(fit)$coefficients[, "Pr(>|z|)"]),
               loglik = fit$loglik[2]),
    logrank = list(chisq = sd$chisq, df = sum(expected > 0) - 1, p = sd$pvalue)
  )
}

lung <- survival::lung
lung <- lung[!is.na(lung$ph.ecog), ]
vet <- survival::veteran
ova <- survival::ovarian
col <- survival::colon[survival::colon$etype == 2 & survival::colon$rx != "Lev", ]

set.seed(20261207)
n <- 240
arm <- rep(c("A", "B"), n / 2)
stratum <- sample(c("high", "standard"), n, replace = TRUE, prob = c(0.4, 0.6))
rate <- 0.002 * ifelse(arm == "B", 0.6, 1) * ifelse(stratum == "high", 2.5, 1)
ev_t <- ceiling(rexp(n, rate) / 30) * 30  # monthly visits: many ties
cen_t <- ceiling(runif(n, 100, 1500))
seeded <- list(time = pmin(ev_t, cen_t), event = as.integer(ev_t <= cen_t), arm = arm,
               stratum = stratum)

cases <- list(
  compare_case("lung_sex", "survival::lung, death by sex", lung$time,
               as.integer(lung$status == 2), lung$sex),
  compare_case("lung_sex_by_ecog", "survival::lung by sex, stratified by ph.ecog",
               lung$time, as.integer(lung$status == 2), lung$sex, lung$ph.ecog),
  compare_case("veteran_trt", "survival::veteran by trt", vet$time, vet$status, vet$trt),
  compare_case("veteran_trt_by_celltype", "survival::veteran by trt, stratified by celltype",
               vet$time, vet$status, vet$trt, vet$celltype),
  compare_case("ovarian_rx_by_resid", "survival::ovarian by rx, stratified by resid.ds",
               ova$futime, ova$fustat, ova$rx, ova$resid.ds),
  compare_case("colon_rx_by_nodes", "survival::colon death, Obs vs Lev+5FU, stratified by node4",
               col$time, col$status, col$rx, col$node4),
  compare_case("seeded_monthly_ties", "seeded two arms, monthly times (ties)",
               seeded$time, seeded$event, seeded$arm),
  compare_case("seeded_monthly_ties_stratified", "the same, stratified by risk group",
               seeded$time, seeded$event, seeded$arm, seeded$stratum),
  compare_case("small_ties_stratified", "a hand-made set with ties across arms and strata",
               c(1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 1, 2, 2, 3, 3, 3, 5, 7, 8, 9),
               c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1),
               c("x", "y", "x", "y", "y", "x", "y", "x", "y", "x",
                 "y", "x", "x", "y", "x", "y", "x", "y", "x", "y"),
               rep(c("s1", "s2"), each = 10))
)

out <- list(
  generated_by = "tests/reference/survival_compare_reference.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cases = cases
)
write_json(out, "tests/reference/survival_compare_reference.json", auto_unbox = TRUE,
           digits = 15, pretty = FALSE, null = "null")
cat("wrote tests/reference/survival_compare_reference.json with", length(cases), "cases\n")
