# Reference values for monitoring/designs/group_sequential, produced by the R package rpact.
#
# Run from the repository root:
#   Rscript tests/reference/group_sequential_reference.R
# It writes tests/reference/group_sequential_reference.json (with rpact's version). The tests
# read that file and never call R. Every number comes from one of these calls:
#   d <- getDesignGroupSequential(kMax = K, alpha = 0.025, beta = 0.2, sided = 1,
#          informationRates = FRACTIONS, typeOfDesign = "asOF" | "asP" | "asHSD",
#          gammaA = G, [typeBetaSpending = "bsOF" | "bsP" | "bsHSD", gammaB = G,]
#          bindingFutility = FALSE)
#     -> $criticalValues, $futilityBounds, $alphaSpent, $betaSpent, $stageLevels
#   ch <- getDesignCharacteristics(d)
#     -> $shift, $inflationFactor, $power, $rejectionProbabilities, $futilityProbabilities,
#        $averageSampleNumber1, $averageSampleNumber01, $averageSampleNumber0
#   getSampleSizeSurvival(d, hazardRatio = HR, allocationRatioPlanned = A)
#     -> $maxNumberOfEvents, $eventsPerStage
#   getAnalysisResults(d, getDataset(overallEvents = EVENTS, overallLogRanks = -Z,
#          overallAllocationRatios = A), directionUpper = FALSE, thetaH1 = HR,
#          nPlanned = EVENTS_LATER, allocationRatioPlanned = A)
#     -> $conditionalPower (at the last stage: the probability of rejecting at any later
#        look), $repeatedConfidenceIntervalLowerBounds, ...UpperBounds
#   (rpact's log-rank statistic is negative when the hazard ratio is below 1; the library's
#   z is positive then, hence overallLogRanks = -Z with directionUpper = FALSE.)
# Numbers are written with 15 significant digits.

suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

FRACTION_SETS <- list(c(0.33, 0.67, 1), c(0.41, 0.58, 1), c(0.25, 0.5, 0.75, 1), c(0.2, 0.45, 0.7, 1))
FAMILIES <- list(
  list(name = "obrien_fleming", as = "asOF", bs = "bsOF", gamma = NA_real_),
  list(name = "pocock", as = "asP", bs = "bsP", gamma = NA_real_),
  list(name = "hsd", as = "asHSD", bs = "bsHSD", gamma = -4),
  list(name = "hsd", as = "asHSD", bs = "bsHSD", gamma = 1)
)

make_design <- function(fractions, fam, futility) {
  args <- list(kMax = length(fractions), alpha = 0.025, beta = 0.2, sided = 1,
    informationRates = fractions, typeOfDesign = fam$as, bindingFutility = FALSE)
  if (!is.na(fam$gamma)) args$gammaA <- fam$gamma
  if (futility) {
    args$typeBetaSpending <- fam$bs
    if (!is.na(fam$gamma)) args$gammaB <- fam$gamma
  }
  do.call(getDesignGroupSequential, args)
}

designs <- list()
for (fractions in FRACTION_SETS) {
  for (fam in FAMILIES) {
    for (futility in c(FALSE, TRUE)) {
      d <- make_design(fractions, fam, futility)
      ch <- getDesignCharacteristics(d)
      ss <- getSampleSizeSurvival(d, hazardRatio = 0.7, allocationRatioPlanned = 1)
      ss2 <- getSampleSizeSurvival(d, hazardRatio = 0.75, allocationRatioPlanned = 2)
      designs[[length(designs) + 1]] <- list(
        fractions = fractions, spending = fam$name, gamma = fam$gamma, futility = futility,
        critical_values = d$criticalValues,
        futility_bounds = if (futility) d$futilityBounds else NULL,
        alpha_spent = d$alphaSpent, beta_spent = if (futility) d$betaSpent else NULL,
        stage_levels = d$stageLevels,
        shift = ch$shift, inflation_factor = ch$inflationFactor, power = ch$power,
        rejection_probabilities = ch$rejectionProbabilities,
        futility_probabilities = if (futility) ch$futilityProbabilities else NULL,
        asn1 = ch$averageSampleNumber1, asn01 = ch$averageSampleNumber01,
        asn0 = ch$averageSampleNumber0,
        events_hr07 = ss$maxNumberOfEvents, events_per_stage_hr07 = as.vector(ss$eventsPerStage),
        events_hr075_a2 = ss2$maxNumberOfEvents
      )
    }
  }
}

# Looks: the design is recomputed on the observed fractions (events / planned events) followed
# by the planned fractions still to come, as the library does.
LOOKS <- list(
  list(spending = 1, futility = TRUE, planned = c(0.33, 0.67, 1), max_events = 273,
       events = c(110, 160), z = c(1.2, 2.1), hr = 0.7, a = 1),
  list(spending = 2, futility = FALSE, planned = c(0.25, 0.5, 0.75, 1), max_events = 400,
       events = c(90), z = c(1.5), hr = 0.75, a = 2),
  list(spending = 3, futility = TRUE, planned = c(0.25, 0.5, 0.75, 1), max_events = 300,
       events = c(80, 170, 200), z = c(0.4, 1.0, 1.3), hr = 0.7, a = 1),
  list(spending = 4, futility = TRUE, planned = c(0.41, 0.58, 1), max_events = 250,
       events = c(120, 150), z = c(1.0, 0.3), hr = 0.7, a = 1),
  # final look with more events than planned: fractions are events / final events
  list(spending = 1, futility = TRUE, planned = c(0.33, 0.67, 1), max_events = 273,
       events = c(90, 185, 280), z = c(1.1, 1.8, 2.1), hr = 0.7, a = 1)
)
looks <- list()
for (lk in LOOKS) {
  fam <- FAMILIES[[lk$spending]]
  k <- length(lk$events)
  final <- lk$events[k] >= lk$max_events
  ds <- getDataset(overallEvents = lk$events, overallLogRanks = -lk$z,
    overallAllocationRatios = rep(lk$a, k))
  if (final) {
    fractions <- lk$events / lk$events[k]
    d <- make_design(fractions, fam, lk$futility)
    res_design <- getAnalysisResults(d, ds, directionUpper = FALSE)
    res_trend <- res_design
  } else {
    taken <- lk$events / lk$max_events
    later <- lk$planned[-(1:k)]
    later <- later[later > taken[k]]
    fractions <- c(taken, later)
    d <- make_design(fractions, fam, lk$futility)
    n_later <- diff(c(lk$events[k], fractions[(k + 1):length(fractions)] * lk$max_events))
    res_design <- getAnalysisResults(d, ds, directionUpper = FALSE, thetaH1 = lk$hr,
      nPlanned = n_later, allocationRatioPlanned = lk$a)
    hr_hat <- exp(-lk$z[k] * (1 + lk$a) / sqrt(lk$a * lk$events[k]))
    res_trend <- getAnalysisResults(d, ds, directionUpper = FALSE, thetaH1 = hr_hat,
      nPlanned = n_later, allocationRatioPlanned = lk$a)
  }
  looks[[length(looks) + 1]] <- list(
    spending = fam$name, gamma = fam$gamma, futility = lk$futility, planned = lk$planned,
    max_events = lk$max_events, events = lk$events, z = lk$z, hr = lk$hr, a = lk$a,
    fractions = fractions, critical_values = d$criticalValues,
    futility_bounds = if (lk$futility) d$futilityBounds else NULL,
    final = final,
    conditional_power_design = if (final) NA else res_design$conditionalPower[length(fractions)],
    conditional_power_trend = if (final) NA else res_trend$conditionalPower[length(fractions)],
    conditional_power_design_all = res_design$conditionalPower,
    rci_lower = res_design$repeatedConfidenceIntervalLowerBounds[k],
    rci_upper = res_design$repeatedConfidenceIntervalUpperBounds[k]
  )
}

out <- list(rpact_version = as.character(packageVersion("rpact")),
  r_version = R.version.string, designs = designs, looks = looks)
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, null = "null", na = "string",
  pretty = TRUE), "tests/reference/group_sequential_reference.json")
