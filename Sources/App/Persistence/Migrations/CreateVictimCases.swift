import Fluent

/// Victims' cases, held by a victim service: the referral (who sent it, the force's
/// reference, the crime), the victim's details sealed field by field (`*_sealed`, FieldCipher:
/// nothing that names or reaches a person is stored in clear), the categories the aggregates
/// count (crime type, age band, enhanced rights, local authority), consent, and status. A
/// duplicate referral (same crime reference and person) is kept and linked (`duplicate_of`),
/// never a second open case. `person_match` is a keyed hash of the name and date of birth,
/// for recognising duplicates without reading every case.
///
/// `victim_case_reads` is the read log the Data Protection Act 2018 s.62 asks for: every
/// read of a case (who, when, what, why, and to whom for a disclosure), apart from the change
/// audit, append-only (triggers refuse UPDATE and DELETE), and without a foreign key so it
/// outlives the case it describes.
struct CreateVictimCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let f = SQLFlavor(database.sql)
        var statements = [
            """
            CREATE TABLE victim_cases (id \(f.serialKey),
              organisation_id \(f.bigint) NOT NULL REFERENCES organisations (id),
              referred_by \(f.bigint) REFERENCES organisations (id), source TEXT NOT NULL,
              reference TEXT, crime_reference TEXT NOT NULL DEFAULT '', crime_type TEXT NOT NULL,
              reported_on TEXT NOT NULL, received_at TEXT NOT NULL, person_match TEXT NOT NULL,
              duplicate_of \(f.bigint) REFERENCES victim_cases (id),
              name_sealed TEXT NOT NULL, date_of_birth_sealed TEXT NOT NULL DEFAULT '',
              phone_sealed TEXT NOT NULL DEFAULT '', email_sealed TEXT NOT NULL DEFAULT '',
              address_sealed TEXT NOT NULL DEFAULT '', preferences_sealed TEXT NOT NULL DEFAULT '',
              language TEXT NOT NULL DEFAULT 'English', interpreter INTEGER NOT NULL DEFAULT 0,
              age_band TEXT NOT NULL, enhanced TEXT NOT NULL DEFAULT '', explicit_consent INTEGER NOT NULL,
              consent_on TEXT, consent_how TEXT, local_authority TEXT NOT NULL DEFAULT '',
              status TEXT NOT NULL, closed_at TEXT, closure_reason TEXT NOT NULL DEFAULT '',
              created_by \(f.bigint) REFERENCES users (id), updated_at TEXT NOT NULL)
            """,
            // The force's reference is unique per sender: the batch is safe to send again.
            "CREATE UNIQUE INDEX victim_cases_reference ON victim_cases (referred_by, reference) WHERE reference IS NOT NULL",
            "CREATE INDEX victim_cases_holder ON victim_cases (organisation_id, status, received_at)",
            "CREATE INDEX victim_cases_person ON victim_cases (organisation_id, crime_reference, person_match)",
            """
            CREATE TABLE victim_contacts (id \(f.serialKey),
              case_id \(f.bigint) NOT NULL REFERENCES victim_cases (id) ON DELETE CASCADE,
              contacted_at TEXT NOT NULL, channel TEXT NOT NULL, outcome TEXT NOT NULL,
              note_sealed TEXT NOT NULL DEFAULT '', user_id \(f.bigint) REFERENCES users (id))
            """,
            "CREATE INDEX victim_contacts_case ON victim_contacts (case_id, contacted_at)",
            """
            CREATE TABLE victim_case_reads (id \(f.serialKey), case_id \(f.bigint) NOT NULL,
              holder_id \(f.bigint) NOT NULL, read_at TEXT NOT NULL, user_id \(f.bigint),
              user_name TEXT NOT NULL, organisation_id \(f.bigint), what TEXT NOT NULL, purpose TEXT NOT NULL,
              justification TEXT NOT NULL DEFAULT '', recipient TEXT NOT NULL DEFAULT '')
            """,
            "CREATE INDEX victim_case_reads_case ON victim_case_reads (case_id, id)",
            "CREATE INDEX victim_case_reads_holder ON victim_case_reads (holder_id, id)",
        ]
        statements += f.appendOnly("victim_case_reads", message: "the read log is append-only")
        try await execute(statements, on: database)
    }

    func revert(on database: any Database) async throws {
        let statements = ["DROP TABLE victim_case_reads", "DROP TABLE victim_contacts", "DROP TABLE victim_cases"]
        try await execute(statements + SQLFlavor(database.sql).dropAppendOnly("victim_case_reads"), on: database)
    }
}
