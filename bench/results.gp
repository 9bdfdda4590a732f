# Draws requests per second for each server and test as grouped bars.
#   gnuplot -e "datafile='chart.dat'; outfile='results.png'; charttitle='...'" \
#       results.gp
# chart.dat (written by bench/report.py): one line per test, a quoted
# label, then req/s of the ceiling, this app, Node KeyObject and Node
# string secret.  The ceiling's bar in each /bearer group is its one
# /bearer measurement, shown again for comparison.

set terminal pngcairo size 1100,560 font "DejaVu Sans,11"
set output outfile

set title charttitle
set ylabel "requests/s"
set yrange [0:*]
set format y "%.0s%c"
set grid ytics lc rgb "#dddddd"
set border 3
set xtics nomirror scale 0
set ytics nomirror
set key below horizontal height 1 width 2
set style fill solid 0.9 border -1
set xrange [-0.6:3.6]
set offsets 0, 0, graph 0.08, 0

width = 0.2
x(i) = column(0) + (i - 2.5) * width
label(c) = sprintf("%.1fk", column(c) / 1000.0)

plot datafile using 0:(NaN):xtic(1) notitle, \
     ''       using (x(1)):2:(width) with boxes lc rgb "#9e9e9e" title "ceiling (Kore, no auth)", \
     ''       using (x(2)):3:(width) with boxes lc rgb "#1f77b4" title "this app (Kore)", \
     ''       using (x(3)):4:(width) with boxes lc rgb "#ff7f0e" title "Node, KeyObject", \
     ''       using (x(4)):5:(width) with boxes lc rgb "#d62728" title "Node, string secret", \
     ''       using (x(1)):2:(label(2)) with labels offset 0,0.7 font ",9" notitle, \
     ''       using (x(2)):3:(label(3)) with labels offset 0,0.7 font ",9" notitle, \
     ''       using (x(3)):4:(label(4)) with labels offset 0,0.7 font ",9" notitle, \
     ''       using (x(4)):5:(label(5)) with labels offset 0,0.7 font ",9" notitle
