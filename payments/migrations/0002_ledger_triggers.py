"""PostgreSQL enforces the ledger itself, whatever code writes to it.

- At commit, every journal entry must have two or more postings, each in its account's
  currency, summing to zero per currency (deferred constraint triggers, so the postings of
  one entry can be inserted one by one within the transaction).
- Postings and journal entries can never be updated or deleted (append-only).
SQLite (the demo database) relies on payments.ledger.post_entry alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_check_entry(p_entry bigint) RETURNS void AS $$
DECLARE
    bad record;
    n integer;
BEGIN
    SELECT count(*) INTO n FROM payments_posting WHERE entry_id = p_entry;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % posting(s); an entry needs at least two', p_entry, n
            USING ERRCODE = '23514';
    END IF;
    SELECT currency, sum(amount_minor) AS total INTO bad
        FROM payments_posting WHERE entry_id = p_entry
        GROUP BY currency HAVING sum(amount_minor) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % is unbalanced in %: debits minus credits = %',
            p_entry, bad.currency, bad.total USING ERRCODE = '23514';
    END IF;
    IF EXISTS (SELECT 1 FROM payments_posting p JOIN payments_account a ON a.id = p.account_id
               WHERE p.entry_id = p_entry AND a.currency <> p.currency) THEN
        RAISE EXCEPTION 'journal entry % posts to an account in another currency', p_entry
            USING ERRCODE = '23514';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_posting_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_entry(NEW.entry_id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_has_postings() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_entry(NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER posting_balanced AFTER INSERT ON payments_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced();
CREATE CONSTRAINT TRIGGER entry_has_postings AFTER INSERT ON payments_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_has_postings();
CREATE TRIGGER posting_append_only BEFORE UPDATE OR DELETE ON payments_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON payments_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS entry_append_only ON payments_journalentry;
DROP TRIGGER IF EXISTS posting_append_only ON payments_posting;
DROP TRIGGER IF EXISTS entry_has_postings ON payments_journalentry;
DROP TRIGGER IF EXISTS posting_balanced ON payments_posting;
DROP FUNCTION IF EXISTS ledger_append_only();
DROP FUNCTION IF EXISTS ledger_entry_has_postings();
DROP FUNCTION IF EXISTS ledger_posting_balanced();
DROP FUNCTION IF EXISTS ledger_check_entry(bigint);
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no params: the % of RAISE must not be interpolated

    return apply


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
