// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time checks of l4vs_wrr's pure logic, built with DEBUG only and
 * included by wrr.c (as WireGuard includes its selftest/ files).  Expected
 * pick strings were worked out by hand from IPVS's rules, not by this code:
 * each step gives weights in list order and the picks that follow.
 */
#define WRR_TEST_ENTS	64

struct wrr_test_step {
	const char	*names;		/* server names in list order */
	u32		w[4];
	const char	*picks;		/* expected picks after the change */
};

struct wrr_test {
	const char		*what;
	struct wrr_test_step	step[3];
};

static const struct wrr_test wrr_tests[] __initconst = {
	{ "5:3:1 fresh", {
		{ "ABC", { 5, 3, 1 }, "AAABABABCAAABABABC" } } },
	{ "4:2:0 fresh", {
		{ "ABC", { 4, 2, 0 }, "AABAABAAB" } } },
	/* ipvsadm adding 5, 3, 1 one by one: each goes to the list head */
	{ "5, 3, 1 added in turn", {
		{ "A", { 5 }, "" },
		{ "BA", { 3, 5 }, "" },
		{ "CBA", { 1, 3, 5 }, "CBAAABABACBA" } } },
	/* cw = 3 with di = 2 stays 3; the walk restarts at the head */
	{ "di 2, server added mid-cycle", {
		{ "AB", { 6, 4 }, "AA" },
		{ "CAB", { 2, 6, 4 }, "ABCABA" } } },
	{ "all weights 0", {
		{ "AB", { 0, 0 }, "" } } },
};

static bool __init wrr_test_run(const struct wrr_test *t)
{
	struct wrr_ent ent[WRR_TEST_ENTS];
	unsigned int s, i, n, len = 0, pos = 0;
	int cw = 0, di, mw;
	u64 len64;

	for (s = 0; s < ARRAY_SIZE(t->step) && t->step[s].names; s++) {
		const struct wrr_test_step *st = &t->step[s];

		n = strlen(st->names);
		wrr_params(st->w, n, &di, &mw);
		len64 = wrr_seq_len(st->w, n, di, mw);
		if (len64 > WRR_TEST_ENTS) {
			pr_err("wrr selftest '%s': cycle of %llu\n", t->what, len64);
			return false;
		}
		len = len64;
		wrr_seq_fill(st->w, n, di, mw, ent);
		cw = wrr_adjust_cw(cw, di, mw);
		pos = len ? wrr_seq_seek(ent, len, cw) : 0;
		for (i = 0; st->picks[i]; i++) {
			if (!len || st->names[ent[pos].idx] != st->picks[i]) {
				pr_err("wrr selftest '%s' step %u: pick %u is %c, want %c\n",
				       t->what, s, i, len ? st->names[ent[pos].idx] : '-',
				       st->picks[i]);
				return false;
			}
			cw = ent[pos].cw;
			pos = (pos + 1) % len;
		}
		if (!st->picks[0] && !mw && len) {
			pr_err("wrr selftest '%s': weights 0 make a cycle\n", t->what);
			return false;
		}
	}
	return true;
}

static bool __init wrr_selftest(void)
{
	static const u32 skew[] __initconst = { 1000000, 1 };
	static const u32 quiet[] __initconst = { 0, 0 };
	bool ok = true;
	unsigned int i;
	int di, mw;

	for (i = 0; i < ARRAY_SIZE(wrr_tests); i++)
		ok &= wrr_test_run(&wrr_tests[i]);

	/* a cycle this long must be walked, not written out */
	wrr_params(skew, 2, &di, &mw);
	if (di != 1 || mw != 1000000 || wrr_seq_len(skew, 2, di, mw) != 1000001) {
		pr_err("wrr selftest: 1000000:1 gives di %d mw %d\n", di, mw);
		ok = false;
	}
	wrr_params(quiet, 2, &di, &mw);
	if (mw != 0 || wrr_seq_len(quiet, 2, di, mw) != 0) {
		pr_err("wrr selftest: all-zero weights give mw %d\n", mw);
		ok = false;
	}
	if (ok)
		pr_info("wrr selftest: %zu sequences pass\n", ARRAY_SIZE(wrr_tests));
	return ok;
}
