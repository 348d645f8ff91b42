# Chart 1: mean ns per call against the hit ratio, one line per
# implementation (and per value of a second swept axis, by dash type), with
# the 95% confidence interval of the mean as error bars.
# Extra variable: logy (1: the values span decades, use a log scale).
load common
set title with_slice("Time per call versus hit ratio (" . scenario . ")")
set xlabel "hit ratio (share of calls served synchronously from the cache)"
set ylabel "time per call (ns, mean of repetitions; bars: 95% CI)"
set xrange [-0.04:1.04]
set xtics 0.1
set key top right
if (logy) {
    set logscale y
    set mytics 10
} else {
    set yrange [0:*]
}
# A confidence interval reaching below zero cannot be drawn on a log scale.
lowbar(y, lo) = logy && lo <= 0 ? y / 10.0 : lo
plot for [g=1:ngroups] for [i=1:words(impls)] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column("ns_per_op")): \
           (lowbar(column("ns_per_op"), column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorlines lw 1.6 ps 0.9 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     title series_title(g, i)
