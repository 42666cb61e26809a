/*
 * arrow_ipc.h - an Apache Arrow IPC *streaming format* writer for result chunks
 * (format=ARROW_STREAM of the Statement Execution API).
 *
 * A stream is: one Schema message, RecordBatch messages, the end-of-stream marker. Each
 * message is framed as
 *
 *   0xFFFFFFFF | int32 metadata size | flatbuffer Message | pad to 8 | body
 *
 * where the metadata size counts the flatbuffer and its padding (so the body starts
 * 8-aligned), and the body holds the batch's buffers, each padded to 8 bytes. The end
 * of the stream is 0xFFFFFFFF 0x00000000. The flatbuffers are built by hand (no
 * flatbuffers library), little-endian, metadata version V5, no compression, no
 * dictionaries.
 *
 * Engine types map to Arrow types:
 *   BOOLEAN bool   BYTE/SHORT/INT/LONG int8/16/32/64 (signed)   FLOAT float32
 *   DOUBLE float64   DECIMAL(p,s) decimal128(p,s)   STRING utf8   BINARY binary
 *   DATE date32 (days)   TIMESTAMP timestamp(us, "UTC")   TIMESTAMP_NTZ timestamp(us)
 *   INTERVAL YEAR TO MONTH interval(YEAR_MONTH)   INTERVAL DAY TO SECOND duration(us)
 *   NULL null (no buffers)
 * Every field is nullable; a column without nulls in a batch gets an empty validity
 * buffer (null_count 0), as the format allows.
 *
 * Functions append to a memory buffer; they fail only with LH_E_NOMEM (and LH_E_LIMIT for
 * a string column above 2 GiB in one batch, which int32 offsets cannot address).
 */
#ifndef LH_API_SQL_ARROW_IPC_H
#define LH_API_SQL_ARROW_IPC_H

#include "common/bytes.h"
#include "common/vec.h"

/* Append the Schema message for count columns. */
lh_err lh_arrow_write_schema(lh_byte_buf_t *out, int count, const char *const *names,
                             const lh_type_t *types, lh_errbuf *eb);

/* Append one RecordBatch message with rows [from, from + rows) of b (columns as in the
 * schema; vectors of any kind). */
lh_err lh_arrow_write_batch(lh_byte_buf_t *out, const lh_batch_t *b, size_t from, size_t rows,
                            lh_errbuf *eb);

/* Append the end-of-stream marker. */
lh_err lh_arrow_write_eos(lh_byte_buf_t *out, lh_errbuf *eb);

#endif
