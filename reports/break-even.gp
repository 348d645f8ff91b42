# Chart 6: break-even. The cost ratio (ns per call) of alloc-task to
# value-task and of value-task to pooled against the hit ratio: above 1.0
# the second of the pair is cheaper. Where a ratio crosses 1.0 the hit
# ratio is marked (only crossings beyond the noise: see
# vtb__report_crossings); the articles' 70% rule is drawn for reference.
# Extra variables: nums, dens (the pairs: numerator and denominator
# implementations), bcells (cells, each group's sorted by hit ratio),
# bgroup (the group of each), crossx, crossj (crossings of 1.0 and the
# pair each belongs to, computed by vtbench from the same rows).
load common
np = words(nums)
n = words(bcells)
pair_color(j) = j == 1 ? "#cc79a7" : "#e69f00"
# Join the rows of each cell here, from the CSV: one line per cell of
# group, hit ratio and one ratio per pair.
set print $ratios
do for [c=1:n] {
    cid = word(bcells, c) + 0
    line = word(bgroup, c)
    stats datafile using (int(column("cell_index")) == cid ? column("hit_ratio_target") : NaN) nooutput
    line = line . sprintf(",%.17g", STATS_max)
    do for [j=1:np] {
        stats datafile using (int(column("cell_index")) == cid && strcol("impl") eq word(nums, j) ? column("ns_per_op") : NaN) nooutput
        top = STATS_max
        stats datafile using (int(column("cell_index")) == cid && strcol("impl") eq word(dens, j) ? column("ns_per_op") : NaN) nooutput
        line = line . sprintf(",%.17g", top / STATS_max)
    }
    print line
}
unset print
set datafile nocolumnheaders
set title with_slice("Break-even: cost ratio versus hit ratio (" . scenario . ")")
set xlabel "hit ratio (share of calls served from the cache)"
set ylabel "cost ratio (ns per call of first / second)"
set xrange [-0.04:1.04]
set xtics 0.1
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#303030" lw 1.2 back
set arrow from 0.7, graph 0 to 0.7, graph 1 nohead lc rgb "#909090" dt 3 back
set label "articles: 70%" at 0.7, graph 0.04 right offset -0.5,0 tc rgb "#707070"
do for [k=1:words(crossx)] {
    x = word(crossx, k) + 0
    j = word(crossj, k) + 0
    set arrow from x, graph 0 to x, graph 1 nohead lc rgb pair_color(j) dt 2 lw 1.4 front
    # Labels right of the line, or left of it near the right edge.
    if (x < 0.6) {
        set label sprintf("%s / %s = 1 at %.2f", word(nums, j), word(dens, j), x) \
            at x, graph (0.96 - 0.05 * k) left offset 0.5,0 tc rgb pair_color(j) front
    } else {
        set label sprintf("%s / %s = 1 at %.2f", word(nums, j), word(dens, j), x) \
            at x, graph (0.96 - 0.05 * k) right offset -0.5,0 tc rgb pair_color(j) front
    }
}
pair_title(j, g) = word(nums, j) . " / " . word(dens, j) . (word(gtitles, g) eq "-" ? "" : ", " . word(gtitles, g))
plot for [j=1:np] for [g=1:ngroups] $ratios \
     using ($1 == g ? $2 : NaN):(column(2 + j)) \
     with linespoints lw 1.8 ps 1.0 pt (j == 1 ? 7 : 5) dt group_dt(g) lc rgb pair_color(j) \
     title pair_title(j, g)
