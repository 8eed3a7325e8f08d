import Fluent

/// How many cases each organisation holds, by case worker (0: no one) and status, kept by
/// the database itself: triggers on every insert, delete and change of holder, case worker
/// or status of `victim_cases`. The case list's tabs read these few rows instead of counting
/// a large service's cases on every visit. Filled here from the cases already held.
struct CreateVictimCaseCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        var statements = [
            """
            CREATE TABLE victim_case_counts (organisation_id \(f.bigint) NOT NULL, assignee \(f.bigint) NOT NULL,
              status TEXT NOT NULL, n \(f.bigint) NOT NULL, PRIMARY KEY (organisation_id, assignee, status))
            """,
            """
            INSERT INTO victim_case_counts (organisation_id, assignee, status, n)
            SELECT organisation_id, COALESCE(assigned_to, 0), status, COUNT(*) FROM victim_cases
            GROUP BY organisation_id, COALESCE(assigned_to, 0), status
            """,
        ]
        let add = { (row: String) in
            """
            INSERT INTO victim_case_counts (organisation_id, assignee, status, n)
            VALUES (\(row).organisation_id, COALESCE(\(row).assigned_to, 0), \(row).status, 1)
            ON CONFLICT (organisation_id, assignee, status) DO UPDATE SET n = victim_case_counts.n + 1;
            """
        }
        let remove = { (row: String) in
            """
            UPDATE victim_case_counts SET n = n - 1 WHERE organisation_id = \(row).organisation_id
              AND assignee = COALESCE(\(row).assigned_to, 0) AND status = \(row).status;
            """
        }
        switch f {
        case .sqlite:
            statements += [
                "CREATE TRIGGER victim_case_counts_insert AFTER INSERT ON victim_cases BEGIN \(add("NEW")) END",
                "CREATE TRIGGER victim_case_counts_delete AFTER DELETE ON victim_cases BEGIN \(remove("OLD")) END",
                """
                CREATE TRIGGER victim_case_counts_update AFTER UPDATE OF organisation_id, assigned_to, status
                ON victim_cases BEGIN \(remove("OLD")) \(add("NEW")) END
                """,
            ]
        case .postgres:
            statements += [
                """
                CREATE FUNCTION victim_case_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP IN ('UPDATE', 'DELETE') THEN \(remove("OLD")) END IF;
                  IF TG_OP IN ('UPDATE', 'INSERT') THEN \(add("NEW")) END IF;
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER victim_case_counts AFTER INSERT OR DELETE OR UPDATE OF organisation_id, assigned_to, status
                ON victim_cases FOR EACH ROW EXECUTE FUNCTION victim_case_count()
                """,
            ]
        }
        try await execute(statements, on: database)
    }

    func revert(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        try await execute(
            f == .sqlite
                ? [
                    "DROP TRIGGER victim_case_counts_insert", "DROP TRIGGER victim_case_counts_delete",
                    "DROP TRIGGER victim_case_counts_update", "DROP TABLE victim_case_counts",
                ]
                : [
                    "DROP TRIGGER victim_case_counts ON victim_cases", "DROP FUNCTION victim_case_count()",
                    "DROP TABLE victim_case_counts",
                ], on: database)
    }
}
