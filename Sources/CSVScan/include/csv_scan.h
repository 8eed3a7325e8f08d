// The inner loop of SaferStreets' CSV parser: split one unquoted record into fields,
// 32 bytes at a time with AVX2 where the processor has it (checked once at run time),
// 8 bytes at a time (SWAR) elsewhere. Everything else about CSV (quoted fields, chunking,
// line numbers, errors) stays in CrimeData's Swift `CSVParser`.
#ifndef SAFERSTREETS_CSV_SCAN_H
#define SAFERSTREETS_CSV_SCAN_H

#include <stdint.h>

// Results of csv_split_simple besides an end index (which is always >= 1).
#define CSV_SCAN_HAS_QUOTE (-1)   // a quote comes before the line feed: use the RFC 4180 path
#define CSV_SCAN_INCOMPLETE (-2)  // no line feed in buf[pos..<count] yet
#define CSV_SCAN_MORE_FIELDS (-3) // more than `capacity` fields: grow the arrays and call again

// Splits the record that starts at buf[pos] if it holds no quote character.
// On success returns the index just past its line feed and writes each field's start and
// end (exclusive; a CR before the LF is not part of the last field) to starts/ends and the
// field count to *fields. On CSV_SCAN_MORE_FIELDS, *fields is the count needed. Reads no
// byte at or past buf[count]; writes nothing to buf.
intptr_t csv_split_simple(const uint8_t *buf, intptr_t pos, intptr_t count,
                          intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields);

// The same, always by the portable eight-bytes-at-a-time loop (for tests that compare
// the two loops on one machine).
intptr_t csv_split_simple_portable(const uint8_t *buf, intptr_t pos, intptr_t count,
                                   intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields);

// 1 when the AVX2 loop is in use on this processor, else 0 (`bench aggregate` says which).
int csv_scan_uses_avx2(void);

#endif
