// Model parameters: one list drives the struct, the scenario reader (key names, ranges,
// integrality), the resolved-scenario dump and the parameter reference in docs/. Adding a
// parameter is one line here plus its use in the model.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "codev/instruments.hpp"

namespace codev {

// X(group, name, default, min, max, is_integer, units, description, source)
// The scenario key is parameters.<group>.<name>. Annual rates are converted to per-step
// probabilities or amounts by the engine (step_months). Every source names its kind (a published
// figure, derived, calibrated or tuned, or a stated prior with its range) and where the evidence
// is (docs/evidence/parameters.md for most; tests/test_scenario.cpp rejects a bare "estimate").
#define CODEV_PARAMETERS(X)                                                                        \
  X(poverty, line, 4000.0, 0.0, 1e6, false, "yuan/person/year",                                    \
    "Poverty line in the start year (current prices)",                                             \
    "national standard 2,300 yuan at 2010 prices, about 4,000 at 2020 prices (facts file)")        \
  X(poverty, line_growth, 0.02, -0.5, 0.5, false, "1/year",                                        \
    "Annual indexation of the poverty line, the monitoring threshold and the consumption floor "   \
    "(transfer.growth indexes the pension and allowance line)",                                    \
    "published: national CPI 0.9-2.9% a year 2017-2022, mean 1.98% (parameters.md 2.10)")          \
  X(poverty, monitoring_multiple, 1.5, 1.0, 10.0, false, "1",                                      \
    "Monitoring threshold as a multiple of the poverty line",                                      \
    "1.5 x the poverty standard, 6,000 yuan in 2021 (jingbian.gov.cn, facts file)")                \
  X(poverty, identification_rate, 0.7, 0.0, 1.0, false, "1",                                       \
    "Probability per year-end review that an at-risk household is identified and monitored",       \
    "stated prior for the mature monitoring of 2023; the Sichuan hindcast tunes 0.15 and the "     \
    "calibration estimates it (VALIDATION.md 3)")                                                  \
  X(health, illness_rate, 0.06, 0.0, 1.0, false, "1/year",                                         \
    "Annual probability of a serious illness episode for a household without chronic illness "     \
    "and of the start's mean members and ages (MODEL.md 7.4)",                                     \
    "stated prior [0.03, 0.10]: the costly tail of hospitalisations, which reach about 0.3 of "    \
    "households a year; calibrated for Sichuan (parameters.md 2.1)")                               \
  X(health, chronic_multiplier, 2.5, 1.0, 20.0, false, "1",                                        \
    "Illness rate multiplier for households with a chronically ill member",                        \
    "derived: hospitalisation odds ratio 3.68 for chronic patients, 1.8-2.9 per household "        \
    "(parameters.md 2.2)")                                                                         \
  X(health, elderly_multiplier, 2.3, 1.0, 20.0, false, "1",                                        \
    "Illness rate of a member aged 65+ relative to a younger member (a household's rate is in "    \
    "proportion to its members, the elderly counted this many times)",                             \
    "derived: older adults' yearly hospitalisation 24.9% (rural 26.3%) against 13.8% of all "      \
    "respondents (NHSS 2018), about 2.3 times the rest; range [1.8, 3.0] (parameters.md 2.11)")    \
  X(health, cost_mean, 15000.0, 0.0, 1e7, false, "yuan",                                           \
    "Mean cost of an illness episode (exponentially distributed)",                                 \
    "published: tertiary-hospital stay 13,300-14,500 yuan 2018-2022, a serious episode; range "    \
    "7,000-20,000 (parameters.md 2.4)")                                                            \
  X(health, reimbursement, 0.55, 0.0, 1.0, false, "1",                                             \
    "Share of illness cost reimbursed by rural resident medical insurance",                        \
    "published: residents' insurance paid 50-60% of whole bills (policy-scope about 70%) "         \
    "(parameters.md 2.5)")                                                                         \
  X(health, lost_work_months, 3.0, 0.0, 24.0, true, "month",                                       \
    "Months one worker cannot work after an illness episode",                                      \
    "stated prior [1, 6]: a stay of about 9 days plus recovery; health shocks cut market time "    \
    "by about 2 months a year (parameters.md 2.6)")                                                \
  X(labour, review_months, 12.0, 1.0, 120.0, true, "month",                                        \
    "Interval between a household's reviews of its labour allocation (staggered by household)",    \
    "stated prior [6, 24]: migrant workers decide around the Spring Festival; job spells last "    \
    "about 2 years (parameters.md 4.6)")                                                           \
  X(labour, local_wage, 3000.0, 0.0, 1e6, false, "yuan/month",                                     \
    "Local non-farm monthly wage per worker before the county wage level",                         \
    "published: national local (本地) migrant workers' 3,173-4,026 yuan/month 2017-2022 "        \
    "(households.md 3); rescaled per county so initial wage income matches the county's wage "     \
    "share")                                                                                       \
  X(labour, migrant_wage, 4615.0, 0.0, 1e6, false, "yuan/month",                                   \
    "Migrant worker monthly earnings before the county wage level",                                \
    "published: national migrant workers' (农民工) monthly income 2022, monitoring report "     \
    "(households.md section 3); rescaled per county")                                              \
  X(labour, migrant_remit, 0.45, 0.0, 1.0, false, "1",                                             \
    "Share of migrant earnings that reaches the household after living costs away",                \
    "derived: living costs away took 34% of earnings (2013), remittances 0.37-0.44 of "            \
    "earnings (2014); range 0.35-0.60 (parameters.md 4.1)")                                        \
  X(labour, wage_growth, 0.05, -0.5, 0.5, false, "1/year",                                         \
    "Growth of migrant wages (external labour market)",                                            \
    "stated prior for a generic scenario; the published nominal rate was 6.0% a year "             \
    "2015-2022 (national migrant workers' monthly income 3,072 to 4,615), which the Sichuan "      \
    "scenarios set (P1a, parameters.md 1)")                                                        \
  X(labour, switching_cost, 2000.0, 0.0, 1e6, false, "yuan",                                       \
    "One-off cost of moving one worker to another occupation",                                     \
    "stated prior [1,000, 6,000]: travel, fees and a short search; transport subsidies "           \
    "500-2,000 yuan (parameters.md 4.2)")                                                          \
  X(labour, taste_sd, 600.0, 0.0, 1e6, false, "yuan/month",                                        \
    "Standard deviation of a household's persistent preference for migrant over local work",       \
    "stated prior [300, 1,200]: migrants need 15% more income to move 10% further from home "      \
    "(parameters.md 4.3)")                                                                         \
  X(labour, wage_adjustment, 0.1, 0.0, 1.0, false, "1/month",                                      \
    "Speed at which the local wage moves toward labour's marginal product",                        \
    "stated prior [0.05, 0.25]: wages reset within the year of the Spring Festival hiring "        \
    "round (parameters.md 4.4)")                                                                   \
  X(labour, job_turnover, 0.1, 0.0, 1.0, false, "1/year",                                          \
    "Share of local jobs that open each year through turnover",                                    \
    "stated prior [0.05, 0.5]: migrants' job spells of about 2 years (0.2-0.5) count "             \
    "job-to-job moves too, so they bound this separation into farming from above "                 \
    "(parameters.md 4.5)")                                                                         \
  X(labour, migrant_job_loss, 0.0, 0.0, 1.0, false, "1/year",                                      \
    "Annual probability that a worker working away loses the job and comes home to the farm (a "   \
    "slump in the labour markets away; a time path for a crisis year)",                            \
    "stated prior: 0 in an ordinary year, where workers come home by their own choice (MODEL.md "  \
    "7.3); about 0.15 in the crisis of 2008-09 and 0.03 net in 2020 (parameters.md 4.14)")         \
  X(labour, migrant_hiring, 1.0, 0.0, 1.0, false, "1/month",                                       \
    "Monthly probability that a worker who looks for work away on his own finds it (organised "    \
    "placements aside; below 1 for a crisis year)",                                                \
    "stated prior: 1 in an ordinary year, when moves away always succeed; a crisis scenario "      \
    "states its own (parameters.md 4.14)")                                                         \
  X(farm, land_elasticity, 0.35, 0.0, 1.0, false, "1",                                             \
    "Output elasticity of land in household farming",                                              \
    "published (weak): household estimate 0.46; range 0.30-0.50 (parameters.md 3)")                \
  X(farm, capital_elasticity, 0.2, 0.0, 1.0, false, "1",                                           \
    "Output elasticity of productive assets in household farming",                                 \
    "published (weak): household estimates 0.02-0.15 suggest about 0.08; 0.2 kept until "          \
    "recalibration (parameters.md 3, 6)")                                                          \
  X(farm, elderly_labour, 0.3, 0.0, 1.0, false, "worker",                                          \
    "Farm labour of one elderly member, in workers",                                               \
    "stated prior [0.2, 0.5]: 64% of 61-70-year-olds and 28% over 70 still farm (Jiangsu) "        \
    "(parameters.md 3)")                                                                           \
  X(farm, land_rent, 600.0, 0.0, 1e5, false, "yuan/mu/year",                                       \
    "Rent received for land leased out when no member farms",                                      \
    "published: Sichuan listed transfers 532-928 yuan/mu (2020); many transfers pay none "         \
    "(parameters.md 3)")                                                                           \
  X(farm, asset_return, 0.15, 0.001, 10.0, false, "1/year",                                        \
    "Gross marginal return on productive assets below which households stop investing; initial "   \
    "assets are set where the marginal return equals it",                                          \
    "derived: financing cost (deposit 1.5% to loans 6-7%, about 0.04) plus asset_depreciation "    \
    "0.11; range 0.12-0.18 (parameters.md 3)")                                                     \
  X(farm, asset_depreciation, 0.11, 0.0, 1.0, false, "1/year",                                     \
    "Depreciation of household productive assets",                                                 \
    "published asset lives: large machines 10-15 years, small tractors 7, implements 10, tools "   \
    "5, livestock 3 suggest 0.10-0.12 (parameters.md 3)")                                          \
  X(farm, yield_shock_sd, 0.05, 0.0, 1.0, false, "1",                                              \
    "Standard deviation of a county's yearly log shock to farm yields (weather, pests: every "     \
    "household of the county alike), from the run's second year on; MODEL.md 7.2",                 \
    "stated prior 0.03-0.1: Sichuan's grain output moved 1-2% a year in 2006-2021 over 183 "       \
    "counties (households.md section 4), county yields more")                                      \
  X(farm, price_shock_sd, 0.011, 0.0, 1.0, false, "1",                                             \
    "Stationary standard deviation of the province's yearly log farm price about its trend, as "   \
    "it reaches net operating income (the pork cycle, grain and vegetable prices, net of the "     \
    "costs and quantities that move with them: every county alike), from the run's second year "   \
    "on; MODEL.md 7.2",                                                                            \
    "derived (range 0-0.02): rural net operating income per person grew with a standard "          \
    "deviation of 1.1 points a year in Fujian 2016-2020, through the 2019-2020 hog price spike; "  \
    "with persistence 0.5 the yearly change of the log price has the price's own sd, so the "      \
    "price may add at most 0.011, the value set (households.md section 4)")                        \
  X(farm, price_persistence, 0.5, 0.0, 0.99, false, "1/year",                                      \
    "Yearly autocorrelation of the province's log farm-gate price about its trend",                \
    "stated prior 0.3-0.7: the pork cycle runs three to four years")                               \
  X(farm, outbreak_rate, 0.05, 0.0, 1.0, false, "1/year",                                          \
    "Probability that a village's livestock has a disease outbreak in a year (swine fever, "       \
    "foot-and-mouth: every household of the village alike), from the run's second year on; "       \
    "MODEL.md 7.2",                                                                                \
    "stated prior 0.02-0.10: no village series found; in the 2019 African swine fever year "       \
    "Sichuan's pig stock fell 33% (households.md section 4), an epidemic far above this")          \
  X(farm, outbreak_loss, 0.15, 0.0, 0.95, false, "1",                                              \
    "Share of a village's farm output lost in a year with a livestock outbreak (deaths, culling, " \
    "movement bans)",                                                                              \
    "stated prior 0.1-0.25: livestock is about 0.3 of farm output (Yanjiang district 2021, "       \
    "households.md section 4), of which an outbreak takes 0.3-0.8")                                \
  X(farm, tfp_growth, 0.02, -0.5, 0.5, false, "1/year",                                            \
    "Growth of farm productivity (technology, prices)",                                            \
    "stated prior for a generic scenario; the Sichuan scenarios set 0.12, tuned on rural "         \
    "income 2015-2022 (P1b, parameters.md 1)")                                                     \
  X(household, subsistence, 4000.0, 0.0, 1e6, false, "yuan/person/year",                           \
    "Consumption floor per person at start-year prices, indexed like the poverty line: spent "     \
    "even when income falls short",                                                                \
    "published lines: the poverty line (about 4,000 at 2020 prices) and the allowance line "       \
    "(4,301 in 2017) suggest about 4,000, range 3,000-6,000 (parameters.md 3)")                    \
  X(household, mpc, 0.75, 0.0, 1.0, false, "1",                                                    \
    "Marginal propensity to consume out of current income",                                        \
    "stated prior [0.6, 0.95]: transitory gains mostly saved; the Sichuan scenarios set 0.915, "   \
    "tuned on Sichuan's consumption/income of 0.92-0.94 in 2020-2022 (P5, parameters.md 3)")       \
  X(household, wealth_consumption, 0.04, 0.0, 1.0, false, "1/year",                                \
    "Share of positive savings consumed per year",                                                 \
    "derived: savings spread over 25-40 years at 1.5% give 0.03-0.05 a year (parameters.md 3)")    \
  X(household, deposit_rate, 0.015, 0.0, 0.5, false, "1/year",                                     \
    "Interest earned on savings (property income)",                                                \
    "published: the central bank's one-year deposit rate, 1.50% from 24 Oct 2015 "                 \
    "(parameters.md 3)")                                                                           \
  X(household, debt_rate, 0.06, 0.0, 1.0, false, "1/year", "Interest paid on debt",                \
    "published: poverty loans 4.35-4.75%, Sichuan 2017 targeted loans 5.57%, ordinary rural "      \
    "loans about 7% (parameters.md 3)")                                                            \
  X(household, debt_limit, 30000.0, 0.0, 1e8, false, "yuan",                                       \
    "Largest debt a household can carry; consumption beyond it is cut to the floor",               \
    "published: poverty microcredit up to 50,000 yuan for 3 years, loans of 10,000-50,000 in "     \
    "Sichuan (parameters.md 3)")                                                                   \
  X(household, buffer_months, 6.0, 0.0, 120.0, false, "month",                                     \
    "Savings kept as a buffer (months of consumption) before investing in productive assets",      \
    "stated prior [3, 12]: precautionary savings; nothing published (parameters.md 3)")            \
  X(household, invest_share, 0.05, 0.0, 1.0, false, "1/month",                                     \
    "Share of savings above the buffer invested in productive assets each month",                  \
    "stated prior [0.02, 0.10]: nothing published (parameters.md 3)")                              \
  X(transfer, pension, 2400.0, 0.0, 1e6, false, "yuan/elderly/year",                               \
    "Urban-rural resident basic pension per elderly member",                                       \
    "published: national resident pension 2,088 (2020) and 2,291 (2021) yuan a recipient, "        \
    "Sichuan below the mean; range 2,000-2,800 for 2023 (parameters.md 2.7)")                      \
  X(transfer, allowance_line, 5000.0, 0.0, 1e6, false, "yuan/person/year",                         \
    "Minimum living allowance (dibao) line in the start year",                                     \
    "published: Sichuan rural mean 2,300 (2015), national 5,962 (2020); range 4,500-6,500 for "    \
    "2023 (parameters.md 2.8)")                                                                    \
  X(transfer, growth, 0.02, -0.5, 0.5, false, "1/year",                                            \
    "Annual indexation of the pension and the minimum living allowance line (the poverty line "    \
    "and the monitoring threshold follow poverty.line_growth)",                                    \
    "stated prior: as the poverty line, with prices; the national pension per recipient and the "  \
    "mean rural allowance line grew 10-12% a year in 2015-2021 (parameters.md 2.7, 2.8, 6)")       \
  X(transfer, allowance_floor, 1.0, 0.0, 10.0, false, "1",                                         \
    "Least allowance line in the year as a multiple of the year's poverty line (MODEL.md 7.1)",    \
    "stated prior: the allowance line at least the poverty line once the two lines were merged "   \
    "(2017); national mean rural allowance lines were 1.3 and 1.5 times it in 2017 and 2020 "      \
    "(households.md section 4)")                                                                   \
  X(transfer, allowance_takeup, 0.8, 0.0, 1.0, false, "1",                                         \
    "Share of the gap to the allowance line paid to households below it",                          \
    "stated prior [0.4, 0.9]: the rule pays the gap, exclusion errors are large; calibrated for "  \
    "Sichuan (parameters.md 2.9)")                                                                 \
  X(transfer, temporary_share, 0.5, 0.0, 1.0, false, "1",                                          \
    "Share of a household's shortfall in the year (this year's allowance need, at this year's "    \
    "income, above the allowance it was paid) that temporary assistance pays within the year; "    \
    "MODEL.md 7.7",                                                                                \
    "stated prior 0.3-0.7 (households.md section 4)")                                              \
  X(season, wage_q1, 1.81, 0.01, 10.0, false, "1",                                                 \
    "Weight of January-March in the calendar of wage income received (the four wage weights are "  \
    "normalised to a mean of 1): pay brought home at the Spring Festival",                         \
    "households.md section 6: Sichuan 2019 rural wage income 67.5% in the first half; split with " \
    "wage_q2 so that income in the first quarter is the province's 28.3% of the year (2019)")      \
  X(season, wage_q2, 0.93, 0.01, 10.0, false, "1",                                                 \
    "Weight of April-June in the calendar of wage income",                                         \
    "derived with wage_q1 from households.md section 6 (the rest of the first half's 67.5%)")      \
  X(season, wage_q3, 0.63, 0.01, 10.0, false, "1",                                                 \
    "Weight of July-September in the calendar of wage income",                                     \
    "stated prior: the second half's 32.5% of wages spread evenly over its quarters")              \
  X(season, wage_q4, 0.64, 0.01, 10.0, false, "1",                                                 \
    "Weight of October-December in the calendar of wage income",                                   \
    "stated prior, as wage_q3: the second half's 32.5% spread evenly")                             \
  X(season, farm_q1, 0.76, 0.01, 10.0, false, "1",                                                 \
    "Weight of January-March in the calendar of farm operating income received (the four farm "    \
    "weights are normalised to a mean of 1)",                                                      \
    "households.md section 6: Sichuan 2019 rural operating income 36.4% in the first half; "       \
    "stated prior: spread evenly over its quarters")                                               \
  X(season, farm_q2, 0.74, 0.01, 10.0, false, "1",                                                 \
    "Weight of April-June in the calendar of farm operating income",                               \
    "stated prior, as farm_q1: the first half's 36.4% (households.md section 6) spread evenly")    \
  X(season, farm_q3, 1.05, 0.01, 10.0, false, "1",                                                 \
    "Weight of July-September in the calendar of farm operating income: the maize and rice "       \
    "harvest in August-September",                                                                 \
    "households.md section 6: fitted so income in the third quarter is 22.8% of the year, "        \
    "between the national 23.9% (2018-2022) and Sichuan's 21.7% (2020)")                           \
  X(season, farm_q4, 1.45, 0.01, 10.0, false, "1",                                                 \
    "Weight of October-December in the calendar of farm operating income: sales of the autumn "    \
    "harvest and of pigs before the Spring Festival",                                              \
    "households.md section 6: the rest of the second half's 63.6%")                                \
  X(earnings, shock_variance, 0.02, 0.0, 1.0, false, "1/year",                                     \
    "Variance of a year's innovation to the persistent part of a household's log skill, at a "     \
    "log-normal skill: it sets the share of skill's normal index that is a persistent AR(1), "     \
    "inside the calibrated skill dispersion, moving farm and wage earnings (MODEL.md 7.7); 0 "     \
    "keeps skill fixed",                                                                           \
    "stated prior 0.01-0.03 a year for persistent shocks (households.md section 4: no estimate "   \
    "found for rural China); VALIDATION.md section 12")                                            \
  X(earnings, persistence, 0.9, 0.0, 0.99, false, "1",                                             \
    "Autocorrelation from one year to the next of the persistent part of skill's index",           \
    "stated prior: 0.8-0.95, persistent but not permanent (households.md section 4)")              \
  X(earnings, transitory_variance, 0.1, 0.0, 1.0, false, "1",                                      \
    "Variance of the log of a household's luck, a factor of mean 1 on its wage and farm earnings " \
    "drawn afresh each calendar year (transitory income shocks, not seen by the labour plan or "   \
    "investment; MODEL.md 7.7); 0 keeps luck at 1",                                                \
    "stated prior 0.05-0.15 a year (households.md section 4: no estimate found for rural China)")  \
  X(demography, birth_rate, 0.0064, 0.0, 0.1, false, "1/year",                                     \
    "Births per rural resident a year (crude birth rate), given to households with a worker "      \
    "(MODEL.md 7.25)",                                                                             \
    "Sichuan 2022: 6.39 per 1,000 (households.md section 1); 2015-2019: 10.3-10.7")                \
  X(demography, death_rate_elderly, 0.042, 0.0, 1.0, false, "1/year",                              \
    "Annual probability of death of a member aged 65 or over",                                     \
    "derived: Sichuan 2015 crude death rate 6.94 per 1,000 and 65+ share 13.33% (1% survey), "     \
    "less the deaths of younger members at death_rate_young (households.md section 1)")            \
  X(demography, death_rate_young, 0.0015, 0.0, 1.0, false, "1/year",                               \
    "Annual probability of death of a member under 65",                                            \
    "stated prior 0.001-0.002 (deaths fall mostly on members aged 65+; households.md section 1)")  \
  X(demography, ageing_rate, 0.02, 0.0, 1.0, false, "1/year",                                      \
    "Annual probability that a worker turns 65 and joins the elderly",                             \
    "derived: Sichuan 2015, ages 60-64 were 7.05% of residents (60+ 20.38% less 65+ 13.33%), "     \
    "a fifth of them turn 65 a year, per resident aged 15-64 (70.47%) (households.md section 1)")  \
  X(demography, maturing_rate, 0.04, 0.0, 1.0, false, "1/year",                                    \
    "Annual probability that a member under 65 who does not work (a child) becomes a worker",      \
    "derived: Sichuan 2015, ages 0-14 were 16.2% of residents and a fifteenth of them turn 15 "    \
    "a year (1.08% of residents), per member under 65 not working (27% at the default shares)")    \
  X(demography, out_migration, 0.0097, 0.0, 0.5, false, "1/year",                                  \
    "Rural residents leaving permanently a year, as a share of residents (crude rate), drawn "     \
    "from members under 65; a household keeps at least one member",                                \
    "Sichuan 2022: rural residents fell 1.23% (3531.3 to 3487.8 万), of which natural change "    \
    "-0.265% (births 6.39, deaths 9.04 per 1,000); the rest, 0.97%, is migration "                 \
    "(households.md section 1)")                                                                   \
  X(county, capital_output, 2.5, 0.0, 100.0, false, "year",                                        \
    "Initial capital-output ratio of the non-farm sectors",                                        \
    "published: growth accounting and provincial capital stocks; range 2-3.5 (parameters.md "      \
    "4.7)")                                                                                        \
  X(county, capital_share, 0.4, 0.01, 0.99, false, "1",                                            \
    "Capital elasticity in the non-farm sectors",                                                  \
    "published: 0.40 (Bosworth and Collins), 0.42 (Fujian income accounts 1998) "                  \
    "(parameters.md 4.7)")                                                                         \
  X(county, depreciation, 0.06, 0.0, 1.0, false, "1/year", "Depreciation of non-farm capital",     \
    "published: the standard provincial capital-stock rate is 0.096; range 0.05-0.10 "             \
    "(parameters.md 4.7, 6)")                                                                      \
  X(county, investment_rate, 0.25, 0.0, 1.0, false, "1",                                           \
    "Share of non-farm output invested privately in the county",                                   \
    "stated prior [0.25, 0.45] for private investment (Sichuan's fixed-asset investment, all "     \
    "kinds, about 0.6 of GDP) (parameters.md 4.7)")                                                \
  X(county, tfp_growth, 0.015, -0.5, 0.5, false, "1/year", "Exogenous non-farm TFP growth",        \
    "published as a real rate (China's TFP 1-4% a year); the Sichuan scenarios set 0.07 "          \
    "nominal, tuned on GDP growth 2015-2022 (P1c, parameters.md 1)")                               \
  X(county, catch_up, 0.02, 0.0, 1.0, false, "1/year",                                             \
    "Speed of TFP catch-up toward linked counties along the linkage matrix W",                     \
    "published: beta convergence of about 2% a year (Barro and Sala-i-Martin); Chinese "           \
    "provinces converge only conditionally (parameters.md 4.8)")                                   \
  X(county, tax_rate, 0.09, 0.0, 1.0, false, "1",                                                  \
    "Revenue as a share of GDP where counties[].revenue is not given",                             \
    "derived: Sichuan 2023 revenue over GDP, about 9%")                                            \
  X(county, talent_turnover, 0.1, 0.0, 1.0, false, "1/year",                                       \
    "Share of local talent (trained cadres) lost each year to turnover",                           \
    "derived: 6-8% of cadres a year enter a poor prefecture's service (Xiangxi 2016); range "      \
    "0.05-0.2 (parameters.md 4.9)")                                                                \
  X(governance, talent_effect, 0.001, 0.0, 10.0, false, "1 per talent/10,000 persons",             \
    "Governance gain per trained local cadre per 10,000 rural residents",                          \
    "stated prior [0.0003, 0.003]: a trained local cadre worth about 1/30 of a dispatched one "    \
    "(parameters.md 4.10)")                                                                        \
  X(governance, cadre_effect, 0.03, 0.0, 10.0, false, "1 per cadre/10,000 persons",                \
    "Governance gain per dispatched cadre present per 10,000 rural residents",                     \
    "stated prior [0.01, 0.06]: studies find positive effects of dispatched cadres, no "           \
    "magnitude (parameters.md 4.10)")                                                              \
  X(governance, handover_dip, 0.5, 0.0, 1.0, false, "1",                                           \
    "Share of the dispatched cadres' governance effect lost in the first year of a new term",      \
    "stated prior [0.2, 0.7]: rotation loses local knowledge; start-up of about 6 months "         \
    "(parameters.md 4.10)")                                                                        \
  X(governance, targeting_effect, 0.4, 0.0, 10.0, false, "1",                                      \
    "Change in identification probability per unit of governance above 0.5",                       \
    "docs/evidence/aid_channels.md section 2: targeting errors shrink with checks, no "            \
    "dose-response estimate; prior 0.2-0.6")                                                       \
  X(aid, leakage_max, 0.12, 0.0, 1.0, false, "1",                                                  \
    "Share of received aid lost (misuse) at governance 0; falls linearly to 0 at governance 1",    \
    "aid_channels.md section 2: audits find misuse of 0.3-1.9% and wider losses of 2-8% of "       \
    "poverty funds (2016-18), 18.4% violations (2010-12); prior 0.04-0.4")                         \
  X(aid, waste_max, 0.1, 0.0, 1.0, false, "1",                                                     \
    "Share of investment aid (industry, collective, infrastructure) spent on projects that build " \
    "nothing lasting, at governance 0; falls linearly to 0 at governance 1 (project choice)",      \
    "aid_channels.md section 2: ineffective projects among audit findings; prior 0.02-0.2")        \
  X(aid, absorb_half, 10000.0, 1.0, 1e9, false, "yuan/person",                                     \
    "Investment aid already absorbed per rural resident at which a further yuan adds half a yuan " \
    "of lasting stock (diminishing returns to aid)",                                               \
    "stated prior: no Chinese estimate found (aid_channels.md section 4); 3,000-30,000")           \
  X(aid, elite_capture, 0.5, 0.0, 1.0, false, "1",                                                 \
    "Share of the benefits of links to the industry and of collective dividends tilted to the "    \
    "better-off third at governance 0; falls linearly to 0 at governance 1",                       \
    "aid_channels.md section 3: village programmes raised richer households' incomes by "          \
    "6.1-9.2% and the poorest's not at all (Park and Wang); prior 0.2-0.8")                        \
  X(aid, crowding_out, 0.5, 0.0, 1.0, false, "1",                                                  \
    "Share of a donor's aid spending taken from its own public investment (fiscal strain)",        \
    "stated prior [0.2, 0.8]: no study measures how donors fund their aid (parameters.md "         \
    "4.11)")                                                                                       \
  X(aid, link_per_cadre, 0.0, 0.0, 1.0, false, "1",                                                \
    "Linkage weight a recipient gains toward its donor per dispatched cadre (TFP catch-up)",       \
    "aid_channels.md section 2: first secretaries raise poor households' incomes, no county-wide " \
    "effect is found; 0 by default, kept for sensitivity")

/// Values of every instrument's parameters: [instrument][parameter], in the order each
/// instrument declares them (InstrumentInfo::parameters).
using InstrumentParameterValues = std::array<std::vector<double>, kNumInstruments>;

/// The documented defaults of every instrument's parameters (src/policy/registry.cpp).
InstrumentParameterValues default_instrument_parameters();

/// Every model parameter, with the documented default from CODEV_PARAMETERS, and the aid
/// instruments' own parameters (parameters.<instrument>.<name>), declared by each instrument.
struct Parameters {
#define CODEV_PARAM_FIELD(group, name, def, lo, hi, is_int, units, desc, source) \
  double group##_##name = def;
  CODEV_PARAMETERS(CODEV_PARAM_FIELD)
#undef CODEV_PARAM_FIELD
  InstrumentParameterValues instrument = default_instrument_parameters();
};

/// Description of one parameter, for readers, writers and the reference.
struct ParameterInfo {
  const char* group;
  const char* name;
  double default_value;
  double min;
  double max;
  bool is_integer;
  const char* units;
  const char* description;
  const char* source;
  double Parameters::*field;
};

/// The table of all parameters, in declaration order.
inline constexpr ParameterInfo kParameterInfo[] = {
#define CODEV_PARAM_INFO(group, name, def, lo, hi, is_int, units, desc, source) \
  {#group, #name, def, lo, hi, is_int, units, desc, source, &Parameters::group##_##name},
    CODEV_PARAMETERS(CODEV_PARAM_INFO)
#undef CODEV_PARAM_INFO
};

/// Any parameter, model-wide or an instrument's: what readers, writers, sweeps and the reference
/// need, with access to its value.
struct ParameterRef {
  std::string_view group;
  std::string_view name;
  double default_value;
  double min;
  double max;
  bool is_integer;
  std::string_view units;
  std::string_view description;
  std::string_view source;
  double Parameters::*field = nullptr;  ///< model-wide parameters
  int instrument = -1;                  ///< instrument parameters: the instrument...
  int index = -1;                       ///< ...and the parameter's position in its list

  double& value(Parameters& p) const {
    return field ? p.*field
                 : p.instrument[static_cast<std::size_t>(instrument)]
                               [static_cast<std::size_t>(index)];
  }
  double value(const Parameters& p) const {
    return field ? p.*field
                 : p.instrument[static_cast<std::size_t>(instrument)]
                               [static_cast<std::size_t>(index)];
  }
};

/// Every parameter: the model's (CODEV_PARAMETERS order), then each instrument's (registry order).
/// Groups are contiguous in this list.
const std::vector<ParameterRef>& all_parameters();

}  // namespace codev
