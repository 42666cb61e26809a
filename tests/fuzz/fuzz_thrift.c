/*
 * fuzz_thrift.c - the Thrift compact decoder as the Parquet footer and page-header
 * decoders drive it: arbitrary bytes as a FileMetaData and as a PageHeader. Both must
 * refuse or accept cleanly, never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <string.h>

#include "storage/parquet/pq_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_errbuf eb;
    pq_meta_t m;
    memset(&m, 0, sizeof m);
    (void)pq_meta_decode(data, size, (uint64_t)size * 4 + 8, &m, &eb);
    pq_meta_free(&m);
    pq_page_header_t h;
    size_t used = 0;
    (void)pq_page_header_decode(data, size, &h, &used, &eb);
    return 0;
}
