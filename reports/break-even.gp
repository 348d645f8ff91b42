# Chart 6: break-even. For alloc-task against value-task and value-task
# against pooled, the paired cost ratio (ns per call of the first over the
# second, left, log scale) and the ns per call that choosing the second
# saves (right, linear), each with its 95% interval as a band, against the
# hit ratio. Above 1 (above 0) the second of the pair is cheaper; where a
# band leaves 1 (0) the difference is beyond the noise. Crossings of 1.0
# between points beyond the noise are marked (vtb__report_crossings); the
# articles' 70% rule is drawn for reference.
# The figures are paired (every round measured both implementations,
# interleaved), so the report derives them and passes them in chartdata
# (break-even.csv beside the chart): group, pair, hit_ratio, ratio,
# ratio_ci_low, ratio_ci_high, ns_saved_per_op, ns_saved_ci_low,
# ns_saved_ci_high, rounds, precision_reached.
# Extra variables: nums, dens (the pairs), crossx, crossj (crossings of 1.0
# and the pair each belongs to).
W = 1500
H = 620
load common
np = words(nums)
pair_color(j) = j == 1 ? "#cc79a7" : "#e69f00"
pair_title(j, g) = word(nums, j) . " / " . word(dens, j) . \
                   (word(gtitles, g) eq "-" ? "" : ", " . word(gtitles, g))
on(g, j) = column("group") == g && column("pair") == j
precise_row(x) = strcol("precision_reached") ne "false"
# The range of the ratio panel: whole decades around every interval, and 1.
stats chartdata using (column("ratio_ci_low")) nooutput
rlo = STATS_min < 1 ? STATS_min : 1
stats chartdata using (column("ratio_ci_high")) nooutput
rhi = STATS_max > 1 ? STATS_max : 1
stats chartdata using (precise_row(0) ? 0 : 1) nooutput
nimprecise = STATS_sum

set multiplot layout 1,2 title with_slice("Break-even: paired cost ratio and ns saved versus hit ratio (" . scenario . ")")
set xlabel "hit ratio (share of calls served from the cache)"
set xrange [-0.04:1.04]
set xtics 0.1
set arrow 1 from 0.7, graph 0 to 0.7, graph 1 nohead lc rgb "#909090" dt 3 back
set label 1 "articles: 70%" at 0.7, graph 0.04 right offset -0.5,0 tc rgb "#707070"
do for [k=1:words(crossx)] {
    x = word(crossx, k) + 0
    j = word(crossj, k) + 0
    set arrow (10 + k) from x, graph 0 to x, graph 1 nohead lc rgb pair_color(j) dt 2 lw 1.4 front
}
set key off
set tmargin 5
set bmargin 4

# Left: the ratio, log scale (2x dearer and 2x cheaper are as far from 1).
set title "cost ratio, ns per call of first / second (95% interval shaded)"
set ylabel "cost ratio (paired)"
set lmargin at screen 0.06
set rmargin at screen 0.37
set logscale y
set ytics ("0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "0.7" 0.7, "1" 1, "1.5" 1.5, "2" 2, "3" 3, \
           "5" 5, "10" 10, "20" 20, "50" 50, "100" 100)
set yrange [rlo < 1 ? rlo / 1.1 : 0.9 : rhi * 1.1]
set arrow 2 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#303030" lw 1.2 back
plot for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) ? column("hit_ratio") : NaN):(column("ratio_ci_low")):(column("ratio_ci_high")) \
     with filledcurves fs transparent solid 0.18 noborder lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) ? column("hit_ratio") : NaN):(column("ratio")) \
     with lines lw 1.8 dt group_dt(g) lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) && precise_row(0) ? column("hit_ratio") : OFF):(column("ratio")) \
     with points ps 1.0 pt (j == 1 ? 7 : 5) lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) && !precise_row(0) ? column("hit_ratio") : OFF):(column("ratio")) \
     with points ps 1.0 pt (j == 1 ? 6 : 4) lc rgb pair_color(j) notitle

# Right: the ns saved per call by choosing the second, linear, around 0.
unset logscale y
set ytics autofreq
unset arrow 2
set title "ns saved per call by the second of each pair (95% interval shaded)"
set ylabel "ns per call saved (paired: first - second)"
set yrange [*:*]
set arrow 3 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "#303030" lw 1.2 back
set lmargin at screen 0.44
set rmargin at screen 0.73
set key at screen 0.745, screen 0.82 left top vertical Left reverse box lc rgb "#c0c0c0" samplen 3
plot for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) ? column("hit_ratio") : NaN):(column("ns_saved_ci_low")):(column("ns_saved_ci_high")) \
     with filledcurves fs transparent solid 0.18 noborder lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) ? column("hit_ratio") : NaN):(column("ns_saved_per_op")) \
     with lines lw 1.8 dt group_dt(g) lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) && precise_row(0) ? column("hit_ratio") : OFF):(column("ns_saved_per_op")) \
     with points ps 1.0 pt (j == 1 ? 7 : 5) lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] chartdata \
     using (on(g, j) && !precise_row(0) ? column("hit_ratio") : OFF):(column("ns_saved_per_op")) \
     with points ps 1.0 pt (j == 1 ? 6 : 4) lc rgb pair_color(j) notitle, \
     for [j=1:np] for [g=1:ngroups] keyentry with linespoints lw 1.8 dt group_dt(g) \
     lc rgb pair_color(j) pt (j == 1 ? 7 : 5) title pair_title(j, g), \
     keyentry with filledcurves fs solid 0.18 noborder lc rgb "#808080" title "95% interval", \
     keyentry with lines lw 1.4 dt 2 lc rgb "#606060" \
     title (words(crossx) > 0 ? "crosses 1 beyond the noise" : ""), \
     keyentry with points pt 6 lc rgb "#606060" \
     title (nimprecise > 0 ? "hollow: precision not reached" : "")
unset multiplot
