# Chart 3: the latency percentile spectrum of one cell, in HdrHistogram's
# style: x is 1/(1 - percentile) on a log scale, so that 90%, 99%, 99.9%
# ... are evenly spaced; hits solid, misses dashed, one colour per
# implementation. Reads percentiles.csv (the percentiles reporter), whose
# lines stop at 1 - 1/N of their N samples: N is in the legend.
# What the clock allows is drawn with it: below qtop (ten steps of the
# clock's resolution) a latency is quantized (shaded), and the dotted line
# is the timer overhead included in every latency (two back-to-back clock
# reads). Log-log, fixed.
# Here impls, kinds and samples are parallel lists, one entry per line to
# draw (kind: hit or miss; only pairs that have rows). Extra variables:
# cell (its cell_index), celldesc (the cell, for the title), qtop and
# overhead (ns; 0 when unknown).
load common
set title "Latency by percentile (" . scenario . ")\n" . celldesc . "\n" . build_line
set xlabel "percentile (each line stops at 1 - 1/N of its N samples)"
set ylabel "latency from issue to consumption (ns)"
set logscale x
set logscale y
set xrange [1:*]
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 1e4, \
           "99.999%%" 1e5, "99.9999%%" 1e6, "99.99999%%" 1e7)
set mytics 10
# 10, 100, 1k, 10k, 1M (ns) rather than 1e+06.
set format y "%.0s%c"
if (qtop > 0) {
    set object 1 rect from graph 0, graph 0 to graph 1, first qtop \
        fc rgb "#ececec" fs solid 1.0 noborder behind
    set label 1 sprintf("quantized: below %.0f ns, within 10 clock steps", qtop) \
        at graph 0.99, first qtop right offset 0,-0.8 tc rgb "#606060" font ",9"
}
if (overhead > 0) {
    set arrow 1 from graph 0, first overhead to graph 1, first overhead nohead \
        lc rgb "#404040" dt 3 lw 1.4 front
    set label 2 sprintf("timer overhead %.1f ns (in every latency)", overhead) \
        at graph 0.99, first overhead right offset 0,0.7 tc rgb "#404040" font ",9" front
}
# The 100% row (the maximum) has no finite position on this axis.
px(p) = p < 100 ? 1.0 / (1.0 - p / 100.0) : NaN
kind_dt(k) = word(kinds, k) eq "miss" ? 2 : 1
pick(k) = int(column("cell_index")) == cell && strcol("impl") eq word(impls, k) && \
          strcol("kind") eq word(kinds, k)
line_title(k) = word(impls, k) . (word(kinds, k) eq "miss" ? ", misses" : ", hits") . \
                " (N = " . word(samples, k) . ")"
plot for [k=1:words(kinds)] pctfile \
     using (pick(k) ? px(column("percentile")) : NaN):(column("value_ns")) \
     with lines lw 1.8 dt kind_dt(k) lc rgb impl_color(word(impls, k)) \
     title line_title(k)
