// SPDX-License-Identifier: GPL-2.0
/*
 * Load-time checks of l4vs_mh's table build, built with DEBUG only and
 * included by mh.c (as WireGuard includes its selftest/ files): weighted
 * shares, disruption when a server leaves, and independence from list order.
 * Servers are 10.0.0.x:80, hashed as real ones; owners are compared by tag.
 */
#define MH_TEST_M	65537
#define MH_TEST_MAXN	16

/* Build for servers 10.0.0.(id[i]) with weights w[]; owner[] gets the ids. */
static void __init mh_test_build(const u8 *id, const u32 *w, unsigned int n,
				 u8 *owner, u16 *slot, unsigned long *used)
{
	struct mh_srv srv[MH_TEST_MAXN] = {};
	union nf_inet_addr a = {};
	unsigned int i;

	for (i = 0; i < n; i++) {
		a.ip = htonl(0x0a000000 | id[i]);
		mh_srv_hash(&srv[i], AF_INET, &a, htons(80));
		srv[i].dest = (struct l4vs_dest *)(uintptr_t)id[i];
	}
	mh_turns(srv, w, n, MH_TEST_M);
	mh_prepare(srv, n, MH_TEST_M);
	mh_fill(srv, n, MH_TEST_M, slot, used);
	for (i = 0; i < MH_TEST_M; i++)
		owner[i] = (uintptr_t)srv[slot[i]].dest;
}

/* Every server's share of the entries within 1% of its share of weight. */
static bool __init mh_test_shares(const u32 *w, u8 *owner, u16 *slot,
				  unsigned long *used)
{
	static const u8 id[3] __initconst = { 1, 2, 3 };
	u32 count[4] = {}, wsum = w[0] + w[1] + w[2];
	unsigned int i;
	s64 want, dev;

	mh_test_build(id, w, 3, owner, slot, used);
	for (i = 0; i < MH_TEST_M; i++)
		count[owner[i]]++;
	for (i = 0; i < 3; i++) {
		want = div_u64((u64)MH_TEST_M * w[i], wsum);
		dev = abs((s64)count[i + 1] - want);
		if (dev * 100 > want) {
			pr_err("mh selftest: weights %u:%u:%u, server %u has %u entries, want %lld\n",
			       w[0], w[1], w[2], i, count[i + 1], want);
			return false;
		}
	}
	return true;
}

static bool __init mh_test_run(u8 *a, u8 *b, u16 *slot, unsigned long *used)
{
	static const u32 w123[3] __initconst = { 1, 2, 3 };
	static const u32 w532[3] __initconst = { 5, 3, 2 };
	static const u32 ones[MH_TEST_MAXN] __initconst = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	u8 ids[MH_TEST_MAXN], rev[MH_TEST_MAXN];
	unsigned int i, n = 10, moved = 0, gone = 0;

	if (!mh_test_shares(w123, a, slot, used) ||
	    !mh_test_shares(w532, a, slot, used))
		return false;

	/* the same servers listed in another order build the same table */
	for (i = 0; i < n; i++) {
		ids[i] = i + 1;
		rev[n - 1 - i] = i + 1;
	}
	mh_test_build(ids, ones, n, a, slot, used);
	mh_test_build(rev, ones, n, b, slot, used);
	if (memcmp(a, b, MH_TEST_M)) {
		pr_err("mh selftest: table depends on list order\n");
		return false;
	}

	/*
	 * Remove server 5 of 10: its entries must move and the others mostly
	 * stay, so the moved fraction is close to 1/N (Maglev's bound is a
	 * little above it; allow 1/N + 20%).
	 */
	memmove(&ids[4], &ids[5], n - 5);
	mh_test_build(ids, ones, n - 1, b, slot, used);
	for (i = 0; i < MH_TEST_M; i++) {
		gone += a[i] == 5;
		moved += a[i] != b[i];
		if (b[i] == 5) {
			pr_err("mh selftest: removed server still owns entry %u\n", i);
			return false;
		}
	}
	if (moved * 10 * n > MH_TEST_M * 12 || gone * n * 10 < MH_TEST_M * 9) {
		pr_err("mh selftest: removing 1 of %u moved %u of %u entries (its own %u)\n",
		       n, moved, MH_TEST_M, gone);
		return false;
	}
	pr_info("mh selftest: shares within 1%%, 1 of %u removed moves %u.%02u%%\n",
		n, moved * 100 / MH_TEST_M, moved * 10000 / MH_TEST_M % 100);
	return true;
}

static bool __init mh_selftest(void)
{
	unsigned long *used = bitmap_alloc(MH_TEST_M, GFP_KERNEL);
	u16 *slot = kvmalloc_array(MH_TEST_M, sizeof(*slot), GFP_KERNEL);
	u8 *a = kvmalloc(MH_TEST_M, GFP_KERNEL);
	u8 *b = kvmalloc(MH_TEST_M, GFP_KERNEL);
	bool ok = false;

	if (used && slot && a && b)
		ok = mh_test_run(a, b, slot, used);
	else
		pr_err("mh selftest: out of memory\n");
	kvfree(b);
	kvfree(a);
	kvfree(slot);
	bitmap_free(used);
	return ok;
}
