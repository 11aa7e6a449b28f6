/**
 * SQL (PostgreSQL) that replaces `view` by `definition` where CREATE OR REPLACE cannot (a column
 * dropped or moved): DROP and CREATE lose the view's grants, so they are read first and given again.
 * Kamailio's role reads the Kamailio views and would otherwise lose `SELECT` on a rollback (0021's
 * down first; migrate.test.ts checks it as that role).
 */
export const recreateViewKeepingGrants = (view: string, definition: string): string => `
      DO $$
      DECLARE
        grants TEXT[];
        g TEXT;
      BEGIN
        SELECT array_agg(format('GRANT %s ON ${view} TO %s', privilege_type, CASE WHEN grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(grantee) END))
          INTO grants
          FROM information_schema.role_table_grants
          WHERE table_schema = current_schema() AND table_name = '${view}' AND grantee <> current_user;
        DROP VIEW ${view};
        CREATE VIEW ${view} AS ${definition};
        FOREACH g IN ARRAY COALESCE(grants, '{}') LOOP
          EXECUTE g;
        END LOOP;
      END;
      $$;`;
