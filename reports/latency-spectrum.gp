# Chart 3: the latency percentile spectrum of one cell, in HdrHistogram's
# style: x is 1/(1 - percentile) on a log scale, so that 90%, 99%, 99.9%
# ... are evenly spaced; hits solid, misses dashed, one colour per
# implementation. Reads percentiles.csv (the percentiles reporter).
# Here impls and kinds are parallel lists, one entry per line to draw
# (kind: hit or miss; only pairs that have rows). Extra variables: cell (its
# cell_index), celldesc (the cell, for the title).
load common
set title "Latency by percentile (" . scenario . "): " . celldesc
set xlabel "percentile"
set ylabel "latency from issue to consumption (ns)"
set logscale x
set logscale y
set xrange [1:*]
set xtics ("0%%" 1, "50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 1e4, \
           "99.999%%" 1e5, "99.9999%%" 1e6, "99.99999%%" 1e7)
set mytics 10
# 10, 100, 1k, 10k, 1M (ns) rather than 1e+06.
set format y "%.0s%c"
set key top left
# Room for the last percentile label at the right end of the axis.
set rmargin 6
# The 100% row (the maximum) has no finite position on this axis.
px(p) = p < 100 ? 1.0 / (1.0 - p / 100.0) : NaN
kind_dt(k) = word(kinds, k) eq "miss" ? 2 : 1
pick(k) = int(column("cell_index")) == cell && strcol("impl") eq word(impls, k) && \
          strcol("kind") eq word(kinds, k)
plot for [k=1:words(kinds)] pctfile \
     using (pick(k) ? px(column("percentile")) : NaN):(column("value_ns")) \
     with lines lw 1.8 dt kind_dt(k) lc rgb impl_color(word(impls, k)) \
     title word(impls, k) . (word(kinds, k) eq "miss" ? ", misses" : ", hits")
