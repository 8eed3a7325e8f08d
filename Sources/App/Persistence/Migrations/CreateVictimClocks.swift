import Fluent

/// The Victims' Code's time limits as rules held in data (`victim_code_rules`: one row per
/// version of a rule, each citing where it comes from and when it was in force, so a case is
/// judged by the rules of its time and OPCC admins can add a version when the Code changes),
/// the criminal justice events a victim must be told of (`victim_case_events`: arrest,
/// charge, a hearing's date, the verdict, …, with when the victim was told), and bank
/// holidays admins add beyond the bundled list.
struct CreateVictimClocks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        var statements = [
            """
            CREATE TABLE victim_code_rules (id \(f.serialKey), rule_key TEXT NOT NULL, version INTEGER NOT NULL,
              right_name TEXT NOT NULL, title TEXT NOT NULL, citation TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
              clock_start TEXT NOT NULL, clock_stop TEXT NOT NULL, enhanced_days INTEGER NOT NULL,
              standard_days INTEGER NOT NULL, in_force_from TEXT NOT NULL, in_force_to TEXT,
              created_at TEXT NOT NULL, created_by \(f.bigint) REFERENCES users (id), UNIQUE (rule_key, version))
            """,
            """
            CREATE TABLE victim_case_events (id \(f.serialKey),
              case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE, kind TEXT NOT NULL,
              occurred_at TEXT NOT NULL, informed_at TEXT, not_applicable TEXT NOT NULL DEFAULT '',
              recorded_by \(f.bigint) REFERENCES users (id), recorded_at TEXT NOT NULL)
            """,
            "CREATE INDEX victim_case_events_case ON victim_case_events (case_id, occurred_at)",
            "CREATE INDEX victim_case_events_open ON victim_case_events (informed_at, occurred_at)",
            """
            CREATE TABLE extra_bank_holidays (day TEXT PRIMARY KEY, name TEXT NOT NULL, added_at TEXT NOT NULL,
              added_by \(f.bigint) REFERENCES users (id))
            """,
        ]
        for r in Self.rules {
            statements.append(
                """
                INSERT INTO victim_code_rules (rule_key, version, right_name, title, citation, note, clock_start, clock_stop,
                  enhanced_days, standard_days, in_force_from, created_at)
                VALUES ('\(r.key)', 1, '\(r.right)', '\(r.title)', '\(r.citation)', '\(r.note)', '\(r.start)', '\(r.stop)',
                  \(r.enhanced), \(r.standard), '2021-04-01', '2021-04-01T00:00:00Z')
                """)
        }
        try await execute(statements, on: database)
    }

    func revert(on database: any Database) async throws {
        try await execute(
            ["DROP TABLE extra_bank_holidays", "DROP TABLE victim_case_events", "DROP TABLE victim_code_rules"],
            on: database)
    }

    /// The first version of each rule: the Code of Practice for Victims of Crime in England
    /// and Wales laid in November 2020, in force from 1 April 2021. Text without quotes (it
    /// is written into the SQL above).
    static let rules:
        [(
            key: String, right: String, title: String, citation: String, note: String, start: String, stop: String,
            enhanced: Int, standard: Int
        )] = [
            (
                "right-4-referral", "Right 4", "Referral to services that support victims",
                "Victims Code 2020, Right 4: the police refer the victim to support services within 2 working days of the crime being reported",
                "Limit as published by police forces and PCCs summarising the Code; paragraph number to be confirmed against the Code text",
                "crime-reported", "referral-received", 2, 2
            ),
            (
                "service-first-contact", "Local standard", "First contact by the victim service",
                "Local service standard in the victim service contract with the OPCC (not a Victims Code limit)",
                "Set by the commissioner; change it here when the contract changes", "referral-received",
                "first-contact",
                2, 5
            ),
            (
                "right-6-investigation", "Right 6",
                "Told of an arrest, interview under caution, release without charge, bail or charge",
                "Victims Code 2020, Right 6: information about the investigation within 1 working day for enhanced-rights victims, 5 for others",
                "Limit as published by police forces summarising the Code; paragraph number to be confirmed against the Code text",
                "investigation-event", "victim-informed", 1, 5
            ),
            (
                "right-8-hearing", "Right 8", "Told the date, time and place of a court hearing",
                "Victims Code 2020, Right 8: information about the trial within 1 working day for enhanced-rights victims, 5 for others",
                "Paragraph number to be confirmed against the Code text", "court-hearing", "victim-informed", 1, 5
            ),
            (
                "right-9-outcome", "Right 9", "Told the outcome of the case (verdict, sentence, appeal)",
                "Victims Code 2020, Right 9: information about the outcome within 1 working day for enhanced-rights victims, 5 for others",
                "Paragraph number to be confirmed against the Code text", "case-outcome", "victim-informed", 1, 5
            ),
        ]
}
