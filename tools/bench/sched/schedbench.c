// SPDX-License-Identifier: GPL-2.0
/*
 * schedbench: ns per pick of every l4vs scheduler, built natively from the
 * same net/sched/NAME.c the modules are built from (see shim/kshim.h), for
 * 4 to 1,024 real servers, and the time to build a Maglev table.
 *
 *   schedbench [-r REPS] [-m MS] [-n N,N,...]
 *
 * Prints "sched,NAME,SERVERS,ns_per_pick,REP,VALUE" and
 * "sched,mh,SERVERS,build_us,REP,VALUE" lines (the benchmark's raw CSV).
 *
 * A service of N servers (weights 1..4 in turn, all available) is built
 * through the scheduler's own hooks, as the control path would; each pick
 * comes from one of 4,096 prepared client tuples, and the chosen server's
 * activeconns is bumped, as a new connection would, so the counting
 * schedulers do not keep finding the same answer.  One thread: locks and
 * atomics cost an uncontended locked instruction.  Times are the thread's
 * CPU time, so that a busy host's preemption is not counted as pick cost.
 */
#include <time.h>
#include <unistd.h>

#include "shim/kshim.h"
#include <l4vs/sched.h>

#define MAX_SCHED	16
static struct l4vs_scheduler *scheds[MAX_SCHED];
static int nsched;

int l4vs_sched_register(struct l4vs_scheduler *s)
{
	if (nsched == MAX_SCHED)
		return -ENOSPC;
	scheds[nsched++] = s;
	return 0;
}

void l4vs_sched_unregister(struct l4vs_scheduler *s)
{
	(void)s;
}

bool l4vs_sched_locked(const struct l4vs_service *svc)
{
	(void)svc;
	return true;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct bench_svc {
	struct l4vs_service	svc;
	struct l4vs_dest	*dests;
	unsigned int		n;
};

static int svc_build(struct bench_svc *b, struct l4vs_scheduler *s,
		     unsigned int n)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->svc.af = AF_INET;
	b->svc.protocol = IPPROTO_UDP;
	b->svc.addr.ip = htonl(0x0a000164);
	b->svc.port = htons(53);
	INIT_LIST_HEAD(&b->svc.dests);
	refcount_set(&b->svc.refcnt, 1);
	if (s->init_service && s->init_service(&b->svc))
		return -1;
	b->svc.scheduler = s;
	b->dests = calloc(n, sizeof(*b->dests));
	if (!b->dests)
		return -1;
	for (i = 0; i < n; i++) {
		struct l4vs_dest *d = &b->dests[i];

		d->svc = &b->svc;
		d->af = AF_INET;
		d->addr.ip = htonl(0x0a010000 + i);
		d->port = htons(53);
		atomic_set(&d->weight, 1 + i % 4);
		atomic_set(&d->conn_flags, IP_VS_CONN_F_MASQ);
		d->flags = L4VS_DEST_F_AVAILABLE;
		refcount_set(&d->refcnt, 1);
		/* as service.c does: newest first, then the hook */
		list_add_rcu(&d->n_list, &b->svc.dests);
		b->svc.num_dests++;
		if (s->add_dest && s->add_dest(&b->svc, d))
			return -1;
		b->n++;
	}
	return 0;
}

static void svc_free(struct bench_svc *b, struct l4vs_scheduler *s)
{
	if (s->done_service)
		s->done_service(&b->svc);
	free(b->dests);
}

#define NTUPLES	4096
static struct l4vs_iphdr tuples[NTUPLES];

static void tuples_init(void)
{
	u32 x = 12345;
	unsigned int i;

	for (i = 0; i < NTUPLES; i++) {
		x = x * 1103515245 + 12345;
		tuples[i].af = AF_INET;
		tuples[i].protocol = IPPROTO_UDP;
		tuples[i].saddr.ip = htonl(0x0b000000 | (x >> 8));
		tuples[i].daddr.ip = htonl(0x0a000164);
		tuples[i].sport = htons(1024 + (x & 0x7fff));
		tuples[i].dport = htons(53);
	}
}

/*
 * ns per pick over at least 'ms' milliseconds.  Every 2^20 picks the
 * servers' counters start again from zero (a cost spread over a million
 * picks), so activeconns * 256 never overflows an int.
 */
static double pick_cost(struct bench_svc *b, struct l4vs_scheduler *s, double ms)
{
	unsigned long picks = 0, i, batch = 4096;
	struct l4vs_dest *d;
	double t0 = now_ns(), t;

	do {
		for (i = 0; i < batch; i++) {
			d = s->schedule(&b->svc, NULL, &tuples[(picks + i) & (NTUPLES - 1)]);
			if (d)
				atomic_inc(&d->activeconns);
		}
		picks += batch;
		if (!(picks & ((1UL << 20) - 1)))
			for (i = 0; i < b->n; i++)
				atomic_set(&b->dests[i].activeconns, 0);
		t = now_ns();
	} while (t - t0 < ms * 1e6);
	return (t - t0) / picks;
}

static struct l4vs_scheduler *find(const char *name)
{
	int i;

	for (i = 0; i < nsched; i++)
		if (!strcmp(scheds[i]->name, name))
			return scheds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *order[] = { "rr", "wrr", "lc", "wlc", "sed", "nq",
				       "sh", "dh", "mh", "fo", "ovf" };
	unsigned int sizes[16] = { 4, 16, 64, 256, 1024 }, nsizes = 5;
	int reps = 3, c, rep, ret = 0;
	double ms = 200;
	unsigned int k, z;
	char *p;

	while ((c = getopt(argc, argv, "r:m:n:")) != -1) {
		switch (c) {
		case 'r': reps = atoi(optarg); break;
		case 'm': ms = atof(optarg); break;
		case 'n':
			nsizes = 0;
			for (p = strtok(optarg, ","); p && nsizes < 16; p = strtok(NULL, ","))
				sizes[nsizes++] = strtoul(p, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: schedbench [-r REPS] [-m MS] [-n N,N,...]\n");
			return 2;
		}
	}
	tuples_init();
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		struct l4vs_scheduler *s = find(order[k]);

		if (!s) {
			fprintf(stderr, "schedbench: scheduler %s missing\n", order[k]);
			ret = 1;
			continue;
		}
		for (z = 0; z < nsizes; z++) {
			for (rep = 1; rep <= reps; rep++) {
				struct bench_svc b;

				if (svc_build(&b, s, sizes[z])) {
					fprintf(stderr, "schedbench: %s with %u servers failed\n",
						s->name, sizes[z]);
					ret = 1;
					break;
				}
				printf("sched,%s,%u,ns_per_pick,%d,%.1f\n", s->name,
				       sizes[z], rep, pick_cost(&b, s, ms));
				if (s->upd_dest && !strcmp(s->name, "mh")) {
					/* one full table build with all servers */
					double t0 = now_ns();

					s->upd_dest(&b.svc, &b.dests[0]);
					printf("sched,mh,%u,build_us,%d,%.0f\n", sizes[z],
					       rep, (now_ns() - t0) / 1e3);
				}
				fflush(stdout);
				svc_free(&b, s);
			}
		}
	}
	return ret;
}
