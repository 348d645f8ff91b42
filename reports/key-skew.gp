# Chart 5: mean ns per call against the key distribution in emergent mode
# (the hit ratio follows from the skew), one line per implementation, with
# 95% CI error bars; each tick also shows the hit ratio that skew produced.
# Extra variables: cats (key_dist values, in sweep order, for matching),
# catticks and catlabels (the two lines of each tick: the value and the hit
# ratio it produced, '%' doubled as tick labels are formats), logy.
load common
nc = words(cats)
catx(s, k) = k > nc ? NaN : (word(cats, k) eq s ? k : catx(s, k + 1))
set title with_slice("Time per call versus key skew, emergent hit ratio (" . scenario . ")")
set xlabel "key distribution (and the hit ratio it produced)" offset 0,-1
set bmargin 5
set ylabel "time per call (ns, mean of repetitions; bars: 95% CI)"
set xrange [0.5:nc + 0.5]
set xtics ()
do for [k=1:nc] {
    set xtics add (word(catticks, k) . "\n" . word(catlabels, k) k)
}
if (logy) {
    set logscale y
    set mytics 10
} else {
    set yrange [0:*]
}
lowbar(y, lo) = logy && lo <= 0 ? y / 10.0 : lo
plot for [g=1:ngroups] for [i=1:words(impls)] datafile \
     using (sel(g, i) ? catx(strcol("key_dist"), 1) : NaN):(column("ns_per_op")): \
           (lowbar(column("ns_per_op"), column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorlines lw 1.6 ps 0.9 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     title series_title(g, i)
