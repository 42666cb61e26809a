/*
 * t.h - the unit-test harness: a handful of macros, one line per failure, and the
 * closing line "N passed, N failed" that CI reads.
 *
 *   static void test_x(void) { T_CHECK(1 + 1 == 2); T_EQ_INT(a, b); T_EQ_STR(s, "x"); }
 *   int main(void) { T_RUN(test_x); return T_DONE(); }
 */
#ifndef LH_TEST_T_H
#define LH_TEST_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;

#define T_CHECK(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define T_EQ_INT(a, b)                                                                             \
    do {                                                                                           \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                                    \
        if (t_a_ != t_b_) {                                                                        \
            fprintf(stderr, "  FAIL %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,   \
                    t_a_, t_b_);                                                                   \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define T_EQ_STR(a, b)                                                                             \
    do {                                                                                           \
        const char *t_a_ = (a), *t_b_ = (b);                                                       \
        if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {                             \
            fprintf(stderr, "  FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__,   \
                    #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                           \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define T_RUN(fn)                                                                                  \
    do {                                                                                           \
        t_cur_failed = 0;                                                                          \
        fn();                                                                                      \
        if (t_cur_failed) {                                                                        \
            t_failed++;                                                                            \
            fprintf(stderr, "not ok %s\n", #fn);                                                   \
        } else {                                                                                   \
            t_passed++;                                                                            \
            printf("ok %s\n", #fn);                                                                \
        }                                                                                          \
    } while (0)

#define T_DONE() (printf("%d passed, %d failed\n", t_passed, t_failed), t_failed ? 1 : 0)

/* Path of the shared test corpora (../shared/testdata), from LH_TESTDATA when set. */
static inline const char *t_testdata(void)
{
    const char *d = getenv("LH_TESTDATA");
    return d ? d : "../shared/testdata";
}

#endif
