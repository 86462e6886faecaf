#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns             director ns                           real servers
#  10.0.1.2 ---------    repr_config + -f 7: TCP, UDP, FWM,    --- rs1 :80 :53 :443
#                        IPv4 + IPv6, weights 0..7             --- rs2 :8080 :53 :8443
#                        prometheus-node-exporter, ipvs only   --- rs3
#
# A real monitoring client: Debian's prometheus-node-exporter with only its
# ipvs collector reads /proc/net/ip_vs and /proc/net/ip_vs_stats.  For l4vs
# and then for ip_vs, after the same traffic (short TCP/UDP/IPv6 requests and
# two open connections), what it exports must equal what ipvsadm reads over
# netlink: per real server the weight, active and inactive connections
# (-Ln); in total the connections, packets and bytes (the services' sums of
# -Ln --stats --exact).  And l4vs's per-server figures and connection total
# must equal ip_vs's.
#
# Fails when /proc/net/ip_vs* drift from IPVS's format or meaning, or when
# /proc and netlink count differently: with net/proc.c printing the
# active and inactive columns the other way round, three checks fail
# (exporter vs ipvsadm, "4 active", l4vs vs ip_vs).

. "$(dirname "$0")/lib.sh"

# tools/vm/deps.sh unpacks Debian's package into the cache
EXPORTER=${EXPORTER:-$(command -v prometheus-node-exporter ||
	echo "${L4VS_CACHE:-/var/cache/l4vs}/node-exporter/usr/bin/prometheus-node-exporter")}
[ -x "$EXPORTER" ] || skip "prometheus-node-exporter is not there ($EXPORTER: tools/vm/deps.sh unpacks it)"
command -v curl >/dev/null || skip "curl is not installed"
require_tools
setup_nat_topology 3
start_servers -k -t 80 -t 8080 -u 53 -t 443 -t 8443

METRICS=http://10.0.1.1:9100/metrics

# backends_exporter FILE: "PROTO VADDR VPORT RADDR RPORT weight W active A
# inactive I" per real server from the exporter's metrics; a fwmark
# service as "FWM <mark> 0".
backends_exporter() {
	awk '
	/^node_ipvs_backend_/ {
		name = $1; sub(/\{.*/, "", name); sub(/^node_ipvs_backend_/, "", name)
		lab = $1; sub(/^[^{]*\{/, "", lab); sub(/\}.*/, "", lab)
		n = split(lab, kv, ",")
		delete l
		for (i = 1; i <= n; i++) {
			split(kv[i], p, "=")
			gsub(/"/, "", p[2])
			l[p[1]] = p[2]
		}
		if (l["proto"] == "FWM")
			key = sprintf("FWM %d 0", ("0x" l["local_mark"]) + 0)
		else
			key = l["proto"] " " l["local_address"] " " l["local_port"]
		key = key " " l["remote_address"] " " l["remote_port"]
		if (name == "weight") w[key] = $2
		else if (name == "connections_active") a[key] = $2
		else if (name == "connections_inactive") ia[key] = $2
		keys[key] = 1
	}
	END { for (k in keys) print k, "weight", w[k], "active", a[k], "inactive", ia[k] }
	' "$1" | sort
}

# backends_ipvsadm: the same lines from ipvsadm -Ln.
backends_ipvsadm() {
	ipvsadm_d -Ln | awk '
	function hostport(s, out,    i) {
		i = match(s, /:[0-9]+$/)
		out[1] = substr(s, 1, i - 1); out[2] = substr(s, i + 1)
		gsub(/[][]/, "", out[1])
	}
	$1 == "TCP" || $1 == "UDP" || $1 == "SCTP" {
		hostport($2, hp); svc = $1 " " hp[1] " " hp[2]; next
	}
	$1 == "FWM" { svc = "FWM " $2 " 0"; next }
	$1 == "->" && $2 != "RemoteAddress:Port" {
		hostport($2, hp)
		print svc, hp[1], hp[2], "weight", $4, "active", $5, "inactive", $6
	}' | sort
}

# totals_exporter FILE / totals_ipvsadm: "conns C inpkts P outpkts P
# inbytes B outbytes B".
totals_exporter() {
	awk '$1 == "node_ipvs_connections_total" { c = $2 }
	     $1 == "node_ipvs_incoming_packets_total" { ip = $2 }
	     $1 == "node_ipvs_outgoing_packets_total" { op = $2 }
	     $1 == "node_ipvs_incoming_bytes_total" { ib = $2 }
	     $1 == "node_ipvs_outgoing_bytes_total" { ob = $2 }
	     END { printf "conns %d inpkts %d outpkts %d inbytes %d outbytes %d\n", c, ip, op, ib, ob }' "$1"
}

totals_ipvsadm() {
	ipvsadm_d -Ln --stats --exact | awk '
	$1 == "TCP" || $1 == "UDP" || $1 == "SCTP" || $1 == "FWM" {
		c += $3; ip += $4; op += $5; ib += $6; ob += $7
	}
	END { printf "conns %d inpkts %d outpkts %d inbytes %d outbytes %d\n", c, ip, op, ib, ob }'
}

# agree IMPL: one read of each side; true when both views are equal.
agree() {
	dir_exec curl -sf -o "$TMPD/metrics.$1" "$METRICS" || return 1
	backends_exporter "$TMPD/metrics.$1" >"$TMPD/exp.$1"
	backends_ipvsadm >"$TMPD/adm.$1"
	totals_exporter "$TMPD/metrics.$1" >"$TMPD/exptot.$1"
	totals_ipvsadm >"$TMPD/admtot.$1"
	cmp -s "$TMPD/exp.$1" "$TMPD/adm.$1" && cmp -s "$TMPD/exptot.$1" "$TMPD/admtot.$1"
}

exporter_up() {
	dir_exec curl -sf -o /dev/null "$METRICS"
}

run_impl() {
	local impl=$1 pid1 pid2 exporter active

	load_impl "$impl"
	{ repr_config; echo "-A -f 7 -s rr"; echo "-a -f 7 -r ${RS_IP[1]} -m -w 4"; } |
		ipvsadm_d -R
	log_test $? "$impl: configuration applied"

	# two open connections (active), then short ones (inactive once closed)
	long_start "$TMPD/long1.$impl" -i 200 -w 2000 "$VIP" 80
	pid1=$LONG_PID
	wait_until 20 long_connected "$TMPD/long1.$impl"
	long_start "$TMPD/long2.$impl" -i 200 -w 2000 "$VIP" 80
	pid2=$LONG_PID
	wait_until 20 long_connected "$TMPD/long2.$impl"
	client -n 4 "$VIP" 80 >"$TMPD/tcp.$impl"
	log_test $? "$impl: tcp requests ($(tally "$TMPD/tcp.$impl"))"
	client -u -n 5 "$VIP" 53 >"$TMPD/udp.$impl"
	log_test $? "$impl: udp requests ($(tally "$TMPD/udp.$impl"))"
	client -n 3 "$VIP6" 443 >"$TMPD/tcp6.$impl"
	log_test $? "$impl: tcp over IPv6 ($(tally "$TMPD/tcp6.$impl"))"
	# the open ones stay quiet while the two sides are read
	kill -STOP "$pid1" "$pid2"

	# not through dir_exec (a function): the pid must be the exporter's
	bg ip netns exec "$NS_DIR" "$EXPORTER" --web.listen-address=10.0.1.1:9100 \
		--collector.disable-defaults --collector.ipvs
	exporter=$BG_PID
	wait_until 30 exporter_up
	log_test $? "$impl: prometheus-node-exporter answers with only its ipvs collector"

	# 6.12's ip_vs updates the totals behind its estimator: poll
	wait_until 10 agree "$impl"
	same "$impl: per real server, the exporter's weight/active/inactive equal ipvsadm -Ln" \
		"$TMPD/adm.$impl" "$TMPD/exp.$impl"
	same "$impl: the exporter's totals equal the sums of ipvsadm -Ln --stats --exact" \
		"$TMPD/admtot.$impl" "$TMPD/exptot.$impl"
	log_info "$impl: $(cat "$TMPD/exptot.$impl"); $(wc -l <"$TMPD/exp.$impl") real servers"
	active=$(awk '$1 == "TCP" && $3 == 80 { n += $9 } END { print n + 0 }' "$TMPD/exp.$impl")
	[ "$active" -eq 2 ]
	log_test $? "$impl: the two open connections show as active (got: $active)"

	# the real servers stay for the next implementation
	kill -CONT "$pid1" "$pid2"
	kill -TERM "$exporter" "$pid1" "$pid2"
	wait "$exporter" "$pid1" "$pid2" 2>/dev/null
	ipvsadm_d -C
}

run_impl l4vs
run_impl ipvs

same "l4vs and ip_vs: the same per-server figures after the same traffic" \
	"$TMPD/exp.ipvs" "$TMPD/exp.l4vs"
c4=$(awk '{ print $2 }' "$TMPD/exptot.l4vs")
ci=$(awk '{ print $2 }' "$TMPD/exptot.ipvs")
[ "$c4" = "$ci" ] && [ "$c4" -gt 0 ]
log_test $? "l4vs and ip_vs: the same connection total ($c4 and $ci)"

load_impl l4vs
exit $RET
