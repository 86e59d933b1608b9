/*
 * db_prov.c - provenance: the fixes fixitd made and still stands by
 * (see db.h, common/fxprov.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "fxprov.h"
#include "banned.h"

/* one row of SQL_PROV_FIXED into the set (ctx) */
static fx_err
prov_row(sqlite3_stmt *st, void *ctx)
{
	struct fx_prov p;
	fx_err rc = FX_OK;

	memset(&p, 0, sizeof(p));
	p.finding_id = sqlite3_column_int64(st, 0);
	p.resource_id = db_col_text(st, 1, &rc);
	/* a launch time stored as anything but text is no launch time */
	if (sqlite3_column_type(st, 2) == SQLITE_TEXT)
		p.launch_time = db_col_text(st, 2, &rc);
	p.fixed_at = sqlite3_column_int64(st, 3);
	p.excepted = sqlite3_column_int64(st, 4) > 0;
	if (sqlite3_column_type(st, 5) == SQLITE_TEXT)
		p.made = db_col_text(st, 5, &rc);
	if (rc == FX_OK && p.resource_id != NULL)
		rc = fx_prov_set_add(ctx, &p);
	free(p.resource_id);
	free(p.launch_time);
	free(p.made);
	return rc;
}

fx_err
db_prov_fixed(struct db *db, const char *playbook, const char *then,
    const char *account, const char *region, const char *resource, int64_t now,
    struct fx_prov_set *out)
{
	size_t before = out->n;
	fx_err rc;

	rc = db_each(db, SQL_PROV_FIXED,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(account), DB_TEXT(region),
		DB_TEXT(resource), DB_TEXT(then), DB_INT(now)),
	    prov_row, out, __func__);
	/* all or nothing: a partial set would read as "never fixed" */
	while (rc != FX_OK && out->n > before) {
		out->n--;
		free(out->v[out->n].resource_id);
		free(out->v[out->n].launch_time);
		free(out->v[out->n].made);
	}
	return rc;
}
