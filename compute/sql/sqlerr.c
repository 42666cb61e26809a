/*
 * sqlerr.c - the error class table and message rendering (see sqlerr.h).
 *
 * Rows are sorted by class name (checked at first use by a debug assertion in the unit
 * test) and found by binary search. Add a row when code raises a new class; keep the
 * template Spark's, word for word, so clients that match on messages keep working.
 */
#include "compute/sql/sqlerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const lh_sqlerr_class_t classes[] = {
    {"AMBIGUOUS_REFERENCE", "42704", "Reference <name> is ambiguous, could be: <referenceNames>."},
    {"ARITHMETIC_OVERFLOW", "22003",
     "<message>.<alternative> If necessary set <config> to \"false\" to bypass this error."},
    {"BINARY_ARITHMETIC_OVERFLOW", "22003",
     "<value1> <symbol> <value2> caused overflow. Use <functionName> to ignore overflow problem "
     "and return NULL."},
    {"CANNOT_PARSE_TIMESTAMP", "22007",
     "<message>. Use <func> to tolerate invalid input string and return NULL instead."},
    {"CAST_INVALID_INPUT", "22018",
     "The value <expression> of the type <sourceType> cannot be cast to <targetType> because it is "
     "malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to "
     "tolerate malformed input and return NULL instead."},
    {"CAST_OVERFLOW", "22003",
     "The value <value> of the type <sourceType> cannot be cast to <targetType> due to an "
     "overflow. Use `try_cast` to tolerate overflow and return NULL instead."},
    {"CONVERSION_INVALID_INPUT", "22018",
     "The value <str> (<fmt>) cannot be converted to <targetType> because it is malformed. Correct "
     "the value as per the syntax, or change its format. Use <suggestion> to tolerate malformed "
     "input and return NULL instead."},
    {"DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: the left and right operands of the "
     "binary operator have incompatible types (<left> and <right>)."},
    {"DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: the binary operator requires the input "
     "type <inputType>, not <actualDataType>."},
    {"DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: cannot cast <srcType> to <targetType>."},
    {"DATATYPE_MISMATCH.CAST_WITH_CONF_SUGGESTION", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: cannot cast <srcType> to <targetType> "
     "with ANSI mode on.\nIf you have to cast <srcType> to <targetType>, you can set <config> as "
     "<configVal>."},
    {"DATATYPE_MISMATCH.DATA_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Input to <functionName> should all be "
     "the same type, but it's <dataType>."},
    {"DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: the input <inputName> should be a "
     "foldable <inputType> expression; however, got <inputExpr>."},
    {"DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <paramIndex> parameter requires the "
     "<requiredType> type, however <inputSql> has the type <inputType>."},
    {"DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <exprName> must be between "
     "<valueRange> (current value = <currentValue>)."},
    {"DATETIME_FIELD_OUT_OF_BOUNDS", "22023",
     "<rangeMessage>. If necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"DATETIME_OVERFLOW", "22008", "Datetime operation overflow: <operation>."},
    {"DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "22003",
     "Decimal precision <precision> exceeds max precision <maxPrecision>."},
    {"DIVIDE_BY_ZERO", "22012",
     "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. "
     "If necessary set <config> to \"false\" to bypass this error."},
    {"DUPLICATED_CTE_NAMES", "42602",
     "CTE definition can't have duplicate names: <duplicateNames>."},
    {"FAILED_TO_PARSE_TOO_COMPLEX", "54001",
     "The statement, including potential SQL functions and referenced views, was too complex to "
     "parse. To mitigate this error divide the statement into multiple, less complex chunks."},
    {"ILLEGAL_DAY_OF_WEEK", "22009", "Illegal input for day of week: <string>."},
    {"INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION", "42K0B",
     "You may get a different result due to the upgrading to Spark >= 3.0:\nFail to recognize "
     "<pattern> pattern in the DateTimeFormatter. 1) You can set <config> to \"LEGACY\" to restore "
     "the behavior before Spark 3.0. 2) You can form a valid datetime pattern with the guide from "
     "'<docroot>/sql-ref-datetime-pattern.html'."},
    {"INTERNAL_ERROR", "XX000", "<message>"},
    {"INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", "22015",
     "Integer overflow while operating with intervals. Try devising appropriate values for the "
     "interval parameters."},
    {"INTERVAL_ARITHMETIC_OVERFLOW.WITH_SUGGESTION", "22015",
     "Integer overflow while operating with intervals. Use <functionName> to tolerate overflow and "
     "return NULL instead."},
    {"INTERVAL_DIVIDED_BY_ZERO", "22012",
     "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead."},
    {"INVALID_ARRAY_INDEX", "22003",
     "The index <indexValue> is out of bounds. The array has <arraySize> elements. Use the SQL "
     "function `get()` to tolerate accessing element at invalid index and return NULL instead. If "
     "necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"INVALID_ESC", "42604",
     "Found an invalid escape string: <invalidEscape>. The escape string must contain only one "
     "character."},
    {"INVALID_EXTRACT_FIELD", "42601", "Cannot extract <field> from <expr>."},
    {"INVALID_FORMAT.ESC_AT_THE_END", "42601",
     "The format is invalid: <format>. The escape character is not allowed to end with."},
    {"INVALID_FORMAT.ESC_IN_THE_MIDDLE", "42601",
     "The format is invalid: <format>. The escape character is not allowed to precede <char>."},
    {"INVALID_FRACTION_OF_SECOND", "22023",
     "Valid range for seconds is [0, 60] (inclusive), but the provided value is <secAndMicros>. To "
     "avoid this error, use `try_make_timestamp`, which returns NULL on error.\nIf you do not want "
     "to use the session default timestamp version of this function, use `try_make_timestamp_ntz` "
     "or `try_make_timestamp_ltz`."},
    {"INVALID_INDEX_OF_ZERO", "22003",
     "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index "
     "1)."},
    {"INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", "42000",
     "Invalid inline table. Inline table expected <expectedNumCols> columns but found "
     "<actualNumCols> columns in row <rowIndex>."},
    {"INVALID_INTERVAL_FORMAT.INTERVAL_PARSING", "22006",
     "Error parsing '<input>' to interval. Please ensure that the value provided is in a valid "
     "format for defining an interval. You can reference the documentation for the correct format. "
     "Error parsing interval <interval> string."},
    {"INVALID_INTERVAL_FORMAT.INVALID_UNIT", "22006",
     "Error parsing '<input>' to interval. Please ensure that the value provided is in a valid "
     "format for defining an interval. You can reference the documentation for the correct format. "
     "Invalid unit <unit>."},
    {"INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING_WITH_NOTICE", "22006",
     "Error parsing '<input>' to interval. Please ensure that the value provided is in a valid "
     "format for defining an interval. You can reference the documentation for the correct format. "
     "Interval string does not match <intervalStr> format of <supportedFormat> when cast to "
     "<typeName>: <input>. Set \"spark.sql.legacy.fromDayTimeString.enabled\" to \"true\" to "
     "restore the behavior before Spark 3.0."},
    {"INVALID_INTERVAL_FORMAT.UNSUPPORTED_FROM_TO_EXPRESSION", "22006",
     "Error parsing '<input>' to interval. Please ensure that the value provided is in a valid "
     "format for defining an interval. You can reference the documentation for the correct format. "
     "Cannot support (interval '<input>' <from> to <to>) expression."},
    {"INVALID_NUMERIC_LITERAL_RANGE", "22003",
     "Numeric literal <rawStrippedQualifier> is outside the valid range for <typeName> with "
     "minimum value of <minValue> and maximum value of <maxValue>. Please adjust the value "
     "accordingly."},
    {"INVALID_PARAMETER_VALUE.BINARY_FORMAT", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of binary "
     "formats 'base64', 'hex', 'utf-8', but got <invalidFormat>."},
    {"INVALID_PARAMETER_VALUE.CHARSET", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the "
     "<charsets>, but got <charset>."},
    {"INVALID_PARAMETER_VALUE.DATETIME_UNIT", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the units "
     "without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, "
     "MILLISECOND, MICROSECOND, but got the string literal <invalidValue>."},
    {"INVALID_PARAMETER_VALUE.PATTERN", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: <value>."},
    {"INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: Expects group index "
     "between 0 and <groupCount>, but got <groupIndex>."},
    {"INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION", "42000",
     "Invalid SQL syntax: The definition of window <windowName> is repetitive."},
    {"INVALID_TIMEZONE", "22009",
     "The timezone: <timeZone> is invalid. The timezone must be either a region-based zone ID or a "
     "zone offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone "
     "offsets must be in the format '(+|-)HH', '(+|-)HH:mm’ or '(+|-)HH:mm:ss', e.g '-08' , "
     "'+01:00' or '-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and 'UTC' are "
     "accepted as synonyms for '+00:00'."},
    {"INVALID_TYPED_LITERAL", "42604",
     "The value of the typed literal <valueType> is invalid: <value>."},
    {"MALFORMED_CHARACTER_CODING", "22000",
     "Invalid value found when performing <function> with <charset>"},
    {"NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", "22003",
     " <value> cannot be represented as Decimal(<precision>, <scale>). If necessary set <config> "
     "to \"false\" to bypass this error, and return NULL instead."},
    {"OPERATION_CANCELED", "HY008", "Operation has been canceled."},
    {"PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near <error><hint>."},
    {"TABLE_OR_VIEW_NOT_FOUND", "42P01",
     "The table or view <relationName> cannot be found. Verify the spelling and correctness of "
     "the schema and catalog.\nIf you did not qualify the name with a schema, verify the "
     "current_schema() output, or qualify the name with the correct schema and catalog.\nTo "
     "tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS."},
    {"UNABLE_TO_ACQUIRE_MEMORY", "53200",
     "Unable to acquire <requestedBytes> bytes of memory, got <receivedBytes>."},
    {"UNCLOSED_BRACKETED_COMMENT", "42601",
     "Found an unclosed bracketed comment. Please, append */ at the end of the comment."},
    {"UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
     "A column, variable, or function parameter with name <objectName> cannot be resolved. Did "
     "you mean one of the following? [<proposal>]."},
    {"UNRESOLVED_ROUTINE", "42883",
     "Cannot resolve routine <routineName> on search path <searchPath>."},
    {"UNSUPPORTED_DATATYPE", "0A000", "Unsupported data type <typeName>."},
    {"UNSUPPORTED_TYPED_LITERAL", "0A000",
     "Literals of the type <unsupportedType> are not supported. Supported types are "
     "<supportedTypes>."},
    {"WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605",
     "The <functionName> requires <expectedNum> parameters but the actual number is <actualNum>. "
     "Please, refer to '<docroot>/sql-ref-functions.html' for a fix."},
    {"_LEGACY_ERROR_TEMP_0029", "42000", "Cannot mix year-month and day-time fields: <literal>."},
};
#define CLASS_COUNT (sizeof classes / sizeof classes[0])

static int cmp_class(const void *key, const void *row)
{
    return strcmp(key, ((const lh_sqlerr_class_t *)row)->error_class);
}

const lh_sqlerr_class_t *lh_sqlerr_find(const char *error_class)
{
    return bsearch(error_class, classes, CLASS_COUNT, sizeof classes[0], cmp_class);
}

const char *lh_sqlerr_state(const char *error_class)
{
    const lh_sqlerr_class_t *c = error_class ? lh_sqlerr_find(error_class) : NULL;
    return c ? c->sqlstate : "XX000";
}

/* Render tmpl with the name/value pairs of ap into out. */
static void render(char *out, size_t cap, const char *tmpl, va_list ap)
{
    const char *names[32], *values[32];
    int n = 0;
    for (const char *k; n < 32 && (k = va_arg(ap, const char *)) != NULL; n++) {
        names[n] = k;
        values[n] = va_arg(ap, const char *);
    }
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 1 < cap;) {
        const char *close = *p == '<' ? strchr(p, '>') : NULL;
        int hit = -1;
        for (int i = 0; close && i < n; i++)
            if (strlen(names[i]) == (size_t)(close - p - 1) &&
                memcmp(names[i], p + 1, (size_t)(close - p - 1)) == 0)
                hit = i;
        if (hit < 0) {
            out[o++] = *p++;
            continue;
        }
        int w = snprintf(out + o, cap - o, "%s", values[hit] ? values[hit] : "");
        o += w < 0 ? 0 : (size_t)w;
        if (o >= cap)
            o = cap - 1;
        p = close + 1;
    }
    out[o] = '\0';
}

static lh_err raise(lh_errbuf *eb, int line, int pos, const char *error_class, va_list ap)
{
    const lh_sqlerr_class_t *c = lh_sqlerr_find(error_class);
    LH_ASSERT(c != NULL);
    char msg[LH_ERRBUF_MSG_MAX];
    render(msg, sizeof msg, c->tmpl, ap);
    lh_err e = line > 0 ? lh_err_set_code(eb, LH_E_INVALID, c->error_class, __FILE__, __LINE__,
                                          "[%s] %s SQLSTATE: %s (line %d, pos %d)", c->error_class,
                                          msg, c->sqlstate, line, pos)
                        : lh_err_set_code(eb, LH_E_INVALID, c->error_class, __FILE__, __LINE__,
                                          "[%s] %s SQLSTATE: %s", c->error_class, msg, c->sqlstate);
    return e;
}

lh_err lh_sqlerr(lh_errbuf *eb, const char *error_class, ...)
{
    va_list ap;
    va_start(ap, error_class);
    lh_err e = raise(eb, 0, 0, error_class, ap);
    va_end(ap);
    return e;
}

lh_err lh_sqlerr_at(lh_errbuf *eb, int line, int pos, const char *error_class, ...)
{
    va_list ap;
    va_start(ap, error_class);
    lh_err e = raise(eb, line, pos, error_class, ap);
    va_end(ap);
    return e;
}
