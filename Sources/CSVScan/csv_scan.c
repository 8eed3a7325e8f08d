#include "csv_scan.h"
#include <string.h>

// Emits the fields ended by the comma bits of `mask` (bit k = byte base + k).
#define EMIT_COMMAS(mask, base)                                   \
    while (mask) {                                                \
        intptr_t at = (base) + (intptr_t)__builtin_ctzll(mask);   \
        if (n < capacity) { starts[n] = start; ends[n] = at; }    \
        n++;                                                      \
        start = at + 1;                                           \
        mask &= mask - 1;                                         \
    }

static inline intptr_t finish(const uint8_t *buf, intptr_t start, intptr_t lf, intptr_t n,
                              intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    intptr_t end = lf;
    if (end > start && buf[end - 1] == '\r') end--;
    if (n < capacity) { starts[n] = start; ends[n] = end; }
    n++;
    *fields = n;
    return n > capacity ? CSV_SCAN_MORE_FIELDS : lf + 1;
}

static intptr_t tail(const uint8_t *buf, intptr_t i, intptr_t count, intptr_t start, intptr_t n,
                     intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    for (; i < count; i++) {
        uint8_t b = buf[i];
        if (b == ',') {
            if (n < capacity) { starts[n] = start; ends[n] = i; }
            n++;
            start = i + 1;
        } else if (b == '"') {
            return CSV_SCAN_HAS_QUOTE;
        } else if (b == '\n') {
            return finish(buf, start, i, n, starts, ends, capacity, fields);
        }
    }
    return CSV_SCAN_INCOMPLETE;
}

// The high bit of each zero byte of x, exactly (no false positives).
static inline uint64_t zero_bytes(uint64_t x) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((x & low7) + low7) | x | low7);
}

static intptr_t split_swar(const uint8_t *buf, intptr_t pos, intptr_t count,
                           intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    intptr_t n = 0, start = pos, i = pos;
    for (; i + 8 <= count; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        uint64_t commas = zero_bytes(w ^ 0x2C2C2C2C2C2C2C2CULL);
        uint64_t quotes = zero_bytes(w ^ 0x2222222222222222ULL);
        uint64_t feeds = zero_bytes(w ^ 0x0A0A0A0A0A0A0A0AULL);
        uint64_t before = feeds ? (feeds & (~feeds + 1)) - 1 : ~0ULL;
        if (quotes & before) return CSV_SCAN_HAS_QUOTE;
        commas &= before;
        while (commas) {
            intptr_t at = i + (__builtin_ctzll(commas) >> 3);
            if (n < capacity) { starts[n] = start; ends[n] = at; }
            n++;
            start = at + 1;
            commas &= commas - 1;
        }
        if (feeds) return finish(buf, start, i + (__builtin_ctzll(feeds) >> 3), n, starts, ends, capacity, fields);
    }
    return tail(buf, i, count, start, n, starts, ends, capacity, fields);
}

intptr_t csv_split_simple_portable(const uint8_t *buf, intptr_t pos, intptr_t count,
                                   intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    return split_swar(buf, pos, count, starts, ends, capacity, fields);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2,bmi")))
static intptr_t split_avx2(const uint8_t *buf, intptr_t pos, intptr_t count,
                           intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    const __m256i comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"'), feed = _mm256_set1_epi8('\n');
    intptr_t n = 0, start = pos, i = pos;
    for (; i + 32 <= count; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(buf + i));
        uint64_t commas = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, comma));
        uint64_t quotes = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote));
        uint64_t feeds = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, feed));
        uint64_t before = feeds ? (feeds & (~feeds + 1)) - 1 : ~0ULL;
        if (quotes & before) return CSV_SCAN_HAS_QUOTE;
        commas &= before;
        EMIT_COMMAS(commas, i)
        if (feeds) return finish(buf, start, i + (intptr_t)__builtin_ctzll(feeds), n, starts, ends, capacity, fields);
    }
    return tail(buf, i, count, start, n, starts, ends, capacity, fields);
}

static int avx2_state = -1;

int csv_scan_uses_avx2(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state < 0) {
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

intptr_t csv_split_simple(const uint8_t *buf, intptr_t pos, intptr_t count,
                          intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    if (csv_scan_uses_avx2()) return split_avx2(buf, pos, count, starts, ends, capacity, fields);
    return split_swar(buf, pos, count, starts, ends, capacity, fields);
}
#else
int csv_scan_uses_avx2(void) { return 0; }

intptr_t csv_split_simple(const uint8_t *buf, intptr_t pos, intptr_t count,
                          intptr_t *starts, intptr_t *ends, intptr_t capacity, intptr_t *fields) {
    return split_swar(buf, pos, count, starts, ends, capacity, fields);
}
#endif
