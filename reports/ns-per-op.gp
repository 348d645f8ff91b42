# Chart 1: mean ns per call against the hit ratio, one line per
# implementation (and per value of a second swept axis, by dash type), with
# the 95% confidence interval of the mean as error bars. Points of cells
# short of their precision are hollow.
# The y axis is logarithmic (logy = 1 always: a hit and a miss differ by
# orders of magnitude), from the decade below the smallest mean to the
# decade above the largest interval; an interval reaching below that runs
# off the bottom of the plot.
load common
ni = words(impls)
set title with_slice("Time per call versus hit ratio (" . scenario . ")")
set xlabel "hit ratio (share of calls served synchronously from the cache)"
set ylabel "time per call (ns, mean of rounds; bars: 95% CI)"
set xrange [-0.04:1.04]
set xtics 0.1
stats datafile using (in_any(0) ? column("ns_per_op") : NaN) nooutput
ylo = STATS_min
stats datafile using (in_any(0) ? column("ns_per_op_ci_high") : NaN) nooutput
yhi = STATS_max
# Counted as a sum: stats fails on a selection with no valid point.
stats datafile using (in_any(0) && !precise(0) ? 1 : 0) nooutput
nimprecise = STATS_sum
if (logy) {
    set logscale y
    set mytics 10
    set yrange [decade_below(ylo):decade_above(yhi)]
} else {
    set yrange [0:*]
}
lowbar(lo) = logy && lo <= 0 ? 1e-300 : lo
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column("ns_per_op")) \
     with lines lw 1.6 dt group_dt(g) lc rgb impl_color(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && precise(0) ? column("hit_ratio_target") : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && !precise(0) ? column("hit_ratio_target") : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) \
     pt impl_pt_open(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] keyentry with linespoints lw 1.6 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) title series_title(g, i), \
     keyentry with points pt 6 lc rgb "#606060" \
     title (nimprecise > 0 ? "hollow: precision not reached" : "")
