# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "dir='RESULTS'" tools/bench/plot.gp  ->  RESULTS/bench.png
set terminal pngcairo size 1400,1000 noenhanced font ",10"
set output dir."/bench.png"
set multiplot layout 2,2 title "l4vs benchmark (qemu TCG guest: compare ratios, not absolute values)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key top left

set yrange [0:*]
set title "1. forwarding, 64-byte UDP (pps on director egress)"
set xtics rotate by -30
plot dir."/plot-forward.dat" using 2:xtic(1) title "plain", '' using 3 title "ip_vs", '' using 4 title "l4vs"

set title "3. lookup: 1000 hot flows, N entries resident (pps)"
set xtics norotate
plot dir."/plot-lookup.dat" using 2:xtic(1) title "ip_vs", '' using 3 title "l4vs"

set title "5. scheduler pick cost (ns, native)"
set style data linespoints
set logscale x 2
set logscale y
set yrange [*:*]
set xlabel "real servers"
set key outside right
plot for [i=2:12] dir."/plot-sched.dat" using 1:i title columnheader(i)
unset logscale
unset xlabel

set title "summary"
unset border
unset tics
unset key
set xrange [0:1]
set yrange [0:1]
set label 1 system("fold -s -w 90 ".dir."/summary.txt") at 0.02,0.95 left font ",9"
plot NaN
unset multiplot
