-- Audit details were written as English text ("version 3 (edited, published)"); they are now a
-- kind and its arguments as JSON (see editor::audit::AuditDetail), which each page writes in its
-- reader's language. The rows are rewritten by the migration's hook (store::audit), which reads
-- the old texts; what it cannot read is kept as text.
SELECT 1;
