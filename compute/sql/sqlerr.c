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
    {"ALL_PARTITION_COLUMNS_NOT_ALLOWED", "KD005", "Cannot use all columns for partition columns."},
    {"AMBIGUOUS_REFERENCE", "42704", "Reference <name> is ambiguous, could be: <referenceNames>."},
    {"ARITHMETIC_OVERFLOW", "22003",
     "<message>.<alternative> If necessary set <config> to \"false\" to bypass this error."},
    {"ASSIGNMENT_ARITY_MISMATCH", "42802",
     "The number of columns or variables assigned or aliased: <numTarget> does not match the "
     "number of source expressions: <numExpr>."},
    {"BINARY_ARITHMETIC_OVERFLOW", "22003",
     "<value1> <symbol> <value2> caused overflow. Use <functionName> to ignore overflow problem "
     "and return NULL."},
    {"CANNOT_DECODE_URL", "22546",
     "The provided URL cannot be decoded: <url>. Please ensure that the URL is properly "
     "formatted and try again."},
    {"CANNOT_PARSE_TIMESTAMP", "22007",
     "<message>. Use <func> to tolerate invalid input string and return NULL instead."},
    {"CANNOT_RESOLVE_STAR_EXPAND", "42704",
     "Cannot resolve <targetString>.* given input columns <columns>. Please check that the "
     "specified table or struct exists and is accessible in the input columns."},
    {"CAST_INVALID_INPUT", "22018",
     "The value <expression> of the type <sourceType> cannot be cast to <targetType> because it is "
     "malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to "
     "tolerate malformed input and return NULL instead."},
    {"CAST_OVERFLOW", "22003",
     "The value <value> of the type <sourceType> cannot be cast to <targetType> due to an "
     "overflow. Use `try_cast` to tolerate overflow and return NULL instead."},
    {"CATALOG_NOT_FOUND", "42P08",
     "The catalog <catalogName> not found. Consider to set the SQL config <config> to a catalog "
     "plugin."},
    {"COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER", "54000",
     "Can't create array with <numberOfElements> elements which exceeding the array size limit "
     "<maxRoundedArrayLength>, the value(s) of parameter(s) <parameter> in the function "
     "<functionName> is invalid."},
    {"COMPARATOR_RETURNS_NULL", "22004",
     "The comparator has returned a NULL for a comparison between <firstValue> and "
     "<secondValue>. It should return a positive integer for \"greater than\", 0 for "
     "\"equal\" and a negative integer for \"less than\". To revert to deprecated behavior "
     "where NULL is treated as 0 (equal), you must set "
     "\"spark.sql.legacy.allowNullComparisonResultInArraySort\" to \"true\"."},
    {"CONVERSION_INVALID_INPUT", "22018",
     "The value <str> (<fmt>) cannot be converted to <targetType> because it is malformed. Correct "
     "the value as per the syntax, or change its format. Use <suggestion> to tolerate malformed "
     "input and return NULL instead."},
    {"CYCLIC_FUNCTION_REFERENCE", "42887", "Cyclic function reference detected: <path>."},
    {"DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Input to <functionName> should have been "
     "<dataType> followed by a value with same element type, but it's [<leftType>, <rightType>]."},
    {"DATATYPE_MISMATCH.BINARY_ARRAY_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Input to function <functionName> should "
     "have been two <arrayType> with same element type, but it's [<leftType>, <rightType>]."},
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
    {"DATATYPE_MISMATCH.CREATE_MAP_KEY_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The given keys of function "
     "<functionName> should all be the same type, but they are <dataType>."},
    {"DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Only foldable `STRING` expressions are "
     "allowed to appear at odd position, but they are <inputExprs>."},
    {"DATATYPE_MISMATCH.DATA_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Input to <functionName> should all be "
     "the same type, but it's <dataType>."},
    {"DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Filter expression <filter> of type "
     "<type> is not a boolean."},
    {"DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Length of <exprName> should be 1."},
    {"DATATYPE_MISMATCH.INVALID_ARG_VALUE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <inputName> value must to be a "
     "<requireType> literal of <validValues>, but got <inputValue>."},
    {"DATATYPE_MISMATCH.INVALID_JSON_SCHEMA", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Input schema <schema> must be a "
     "struct, an array, a map or a variant."},
    {"DATATYPE_MISMATCH.INVALID_ORDERING_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <functionName> does not support "
     "ordering on type <dataType>."},
    {"DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The number of columns in the left "
     "hand side of an IN subquery does not match the number of columns in the output of "
     "subquery. Left hand side columns(length: <leftLength>): [<leftColumns>], right hand "
     "side columns(length: <rightLength>): [<rightColumns>]."},
    {"DATATYPE_MISMATCH.MAP_CONCAT_DIFF_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <functionName> should all be of "
     "type map, but it's <dataType>."},
    {"DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: the input <inputName> should be a "
     "foldable <inputType> expression; however, got <inputExpr>."},
    {"DATATYPE_MISMATCH.RANGE_FRAME_INVALID_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The data type <orderSpecType> used in "
     "the order specification does not match the data type <valueBoundaryType> which is used in "
     "the range frame."},
    {"DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: A range window frame with value "
     "boundaries cannot be used in a window specification with multiple order by expressions: "
     "<orderSpec>."},
    {"DATATYPE_MISMATCH.RANGE_FRAME_WITHOUT_ORDER", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: A range window frame cannot be used in "
     "an unordered window specification."},
    {"DATATYPE_MISMATCH.SEQUENCE_WRONG_INPUT_TYPES", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: <functionName> uses the wrong parameter "
     "type. The parameter type must conform to:\n1. The start and stop expressions must resolve to "
     "the same type.\n2. Otherwise, if start and stop expressions resolve to the <startType> type, "
     "then the step expression must resolve to the <stepType> type.\n3. Otherwise, if start and "
     "stop expressions resolve to the <otherStartType> type, then the step expression must resolve "
     "to the same type."},
    {"DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_INVALID_BOUND", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: Window frame upper bound <upper> does "
     "not follow the lower bound <lower>."},
    {"DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The data type of the <location> bound "
     "<exprType> does not match the expected data type <expectedType>."},
    {"DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The lower bound of a window frame must "
     "be <comparison> to the upper bound."},
    {"DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <paramIndex> parameter requires the "
     "<requiredType> type, however <inputSql> has the type <inputType>."},
    {"DATATYPE_MISMATCH.UNEXPECTED_NULL", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <exprName> must not be null."},
    {"DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", "42K09",
     "Cannot resolve <sqlExpr> due to data type mismatch: The <exprName> must be between "
     "<valueRange> (current value = <currentValue>)."},
    {"DATETIME_FIELD_OUT_OF_BOUNDS", "22023",
     "<rangeMessage>. If necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"DATETIME_OVERFLOW", "22008", "Datetime operation overflow: <operation>."},
    {"DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "22003",
     "Decimal precision <precision> exceeds max precision <maxPrecision>."},
    {"DELTA_ALTER_TABLE_CLUSTER_BY_ON_PARTITIONED_TABLE_NOT_ALLOWED", "42000",
     "ALTER TABLE CLUSTER BY cannot be applied to a Delta table with partition columns."},
    {"DELTA_CANNOT_RESTORE_TABLE_VERSION", "22003",
     "Cannot restore table to version <version>. Available versions: [<startVersion>, "
     "<endVersion>]."},
    {"DELTA_CANNOT_RESTORE_TIMESTAMP_EARLIER", "22003",
     "Cannot restore table to timestamp (<requestedTimestamp>) as it is before the earliest "
     "version available. Please use a timestamp after (<earliestTimestamp>)."},
    {"DELTA_CANNOT_RESTORE_TIMESTAMP_GREATER", "22003",
     "Cannot restore table to timestamp (<requestedTimestamp>) as it is after the latest "
     "version available. Please use a timestamp before (<latestTimestamp>)"},
    {"DELTA_CLUSTER_BY_WITH_PARTITIONED_BY", "42613",
     "Clustering and partitioning cannot both be specified. Please remove PARTITIONED BY if you "
     "want to create a Delta table with clustering."},
    {"DELTA_COLUMN_NOT_FOUND_IN_SCHEMA", "42703",
     "Unable to find column <columnName> in:\n<tableSchema>"},
    {"DELTA_CONCURRENT_APPEND", "2D521",
     "ConcurrentAppendException: Files were added by a concurrent update. Please try the "
     "operation again.<conflictingCommit>"},
    {"DELTA_CONCURRENT_DELETE_DELETE", "2D521",
     "ConcurrentDeleteDeleteException: This transaction attempted to delete one or more files "
     "that were deleted by a concurrent update. Please try the operation "
     "again.<conflictingCommit>"},
    {"DELTA_CONCURRENT_DELETE_READ", "2D521",
     "ConcurrentDeleteReadException: This transaction attempted to read one or more files that "
     "were deleted by a concurrent update. Please try the operation again.<conflictingCommit>"},
    {"DELTA_CONCURRENT_TRANSACTION", "2D521",
     "ConcurrentTransactionException: This error occurs when multiple streaming queries are "
     "using the same checkpoint to write into this table.<conflictingCommit>"},
    {"DELTA_CONCURRENT_WRITE", "2D521",
     "ConcurrentWriteException: A concurrent transaction has written new data since the current "
     "transaction read the table. Please try the operation again.<conflictingCommit>"},
    {"DELTA_CONSTRAINT_ALREADY_EXISTS", "42710",
     "Constraint '<constraintName>' already exists. Please delete the old constraint first.\n"
     "Old constraint:\n<oldConstraint>"},
    {"DELTA_CONSTRAINT_DOES_NOT_EXIST", "42704",
     "Cannot drop nonexistent constraint <constraintName> from table <tableName>. To avoid "
     "throwing an error, provide the parameter IF EXISTS or set the SQL session configuration "
     "<config> to <confValue>."},
    {"DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED", "42808",
     "Providing values for GENERATED ALWAYS AS IDENTITY column <colName> is not supported."},
    {"DELTA_IDENTITY_COLUMNS_ILLEGAL_STEP", "42611", "IDENTITY column step cannot be 0."},
    {"DELTA_IDENTITY_COLUMNS_UNSUPPORTED_DATA_TYPE", "428H2",
     "DataType <dataType> is not supported for IDENTITY columns."},
    {"DELTA_IDENTITY_COLUMNS_UPDATE_NOT_SUPPORTED", "42808",
     "IDENTITY column <colName> cannot be updated."},
    {"DELTA_INVALID_GENERATED_COLUMN_REFERENCES", "42621",
     "A generated column cannot use a non-existent column or another generated column"},
    {"DELTA_MERGE_UNRESOLVED_EXPRESSION", "42601",
     "Cannot resolve <sqlExpr> in <clause> given columns <cols>."},
    {"DELTA_METADATA_CHANGED", "2D521",
     "MetadataChangedException: The metadata of the Delta table has been changed by a concurrent "
     "update. Please try the operation again.<conflictingCommit>"},
    {"DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "21506",
     "Cannot perform Merge as multiple source rows matched and attempted to modify the same\n"
     "target row in the Delta table in possibly conflicting ways. By SQL semantics of Merge,\n"
     "when multiple source rows match on the same target row, the result may be ambiguous\n"
     "as it is unclear which source row should be used to update or delete the matching\n"
     "target row. You can preprocess the source table to eliminate the possibility of\n"
     "multiple matches. Please refer to\n<usageReference>"},
    {"DELTA_NEW_CHECK_CONSTRAINT_VIOLATION", "23512",
     "<numRows> rows in <tableName> violate the new CHECK constraint (<checkConstraint>)"},
    {"DELTA_NEW_NOT_NULL_VIOLATION", "23512",
     "<numRows> rows in <tableName> violate the new NOT NULL constraint on <colName>"},
    {"DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502",
     "NOT NULL constraint violated for column: <columnName>."},
    {"DELTA_PROTOCOL_CHANGED", "2D521",
     "ProtocolChangedException: The protocol version of the Delta table has been changed by a "
     "concurrent update.<conflictingCommit>"},
    {"DELTA_REPLACE_WHERE_MISMATCH", "44000",
     "Written data does not conform to partial table overwrite condition or constraint "
     "'<replaceWhere>'.\n<message>"},
    {"DELTA_UNSUPPORTED_DROP_COLUMN", "0AKDC",
     "DROP COLUMN is not supported for your Delta table. <advice>"},
    {"DELTA_UNSUPPORTED_FEATURE_STATUS", "0AKDE",
     "Expecting the status for table feature <feature> to be \"supported\", but got \"<status>\"."},
    {"DELTA_UNSUPPORTED_RENAME_COLUMN", "0AKDC",
     "Column rename is not supported for your Delta table. <advice>"},
    {"DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT", "22023",
     "requirement failed: Are you sure you would like to vacuum files with such a low retention "
     "period? If you have\nwriters that are currently writing to this table, there is a risk "
     "that you may corrupt the\nstate of your Delta table.\n\nIf you are certain that there are "
     "no operations being performed on this table, such as\ninsert/upsert/delete/optimize, then "
     "you may turn off this check by setting:\n"
     "spark.databricks.delta.retentionDurationCheck.enabled = false\n\nIf you are not sure, "
     "please use a value not less than \"<hours> hours\"."},
    {"DELTA_VIOLATE_CONSTRAINT_WITH_VALUES", "23001",
     "CHECK constraint <constraintName> <expression> violated by row with values:\n<values>"},
    {"DISTINCT_WINDOW_FUNCTION_UNSUPPORTED", "0A000",
     "Distinct window functions are not supported: <windowExpr>."},
    {"DIVIDE_BY_ZERO", "22012",
     "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. "
     "If necessary set <config> to \"false\" to bypass this error."},
    {"DUPLICATED_CTE_NAMES", "42602",
     "CTE definition can't have duplicate names: <duplicateNames>."},
    {"DUPLICATED_MAP_KEY", "23505",
     "Duplicate map key <key> was found, please check the input data. If you want to remove the "
     "duplicated keys, you can set <mapKeyDedupPolicy> to \"LAST_WIN\" so that the key inserted at "
     "last takes the precedence."},
    {"DUPLICATE_ASSIGNMENTS", "42701",
     "The columns or variables <nameList> appear more than once as assignment targets."},
    {"DUPLICATE_ROUTINE_PARAMETER_ASSIGNMENT.DOUBLE_NAMED_ARGUMENT_REFERENCE", "4274K",
     "Call to routine <routineName> is invalid because it includes multiple argument assignments "
     "to the same parameter name <parameterName>. More than one named argument referred to the "
     "same parameter. Please assign a value only once."},
    {"DUPLICATE_ROUTINE_PARAMETER_NAMES", "42734",
     "Found duplicate name(s) in the parameter list of the user-defined routine <routineName>: "
     "<names>."},
    {"EXCEPT_OVERLAPPING_COLUMNS", "42702",
     "Columns in an EXCEPT list must be distinct and non-overlapping, but got (<columns>)."},
    {"EXPECT_TABLE_NOT_VIEW.USE_ALTER_VIEW", "42809",
     "'<operation>' expects a table but <viewName> is a view. Please use ALTER VIEW instead."},
    {"EXPECT_VIEW_NOT_TABLE.USE_ALTER_TABLE", "42809",
     "The table <tableName> does not support <operation>. Please use ALTER TABLE instead."},
    {"FAILED_TO_PARSE_TOO_COMPLEX", "54001",
     "The statement, including potential SQL functions and referenced views, was too complex to "
     "parse. To mitigate this error divide the statement into multiple, less complex chunks."},
    {"FIELD_ALREADY_EXISTS", "42710",
     "Cannot <op> column, because <fieldNames> already exists in <struct>."},
    {"FIELD_NOT_FOUND", "42704", "No such struct field <fieldName> in <fields>."},
    {"GROUPING_COLUMN_MISMATCH", "42803",
     "Column of grouping (<grouping>) can't be found in grouping columns <groupingColumns>."},
    {"GROUPING_SIZE_LIMIT_EXCEEDED", "54000",
     "Grouping sets size cannot be greater than <maxSize>."},
    {"GROUP_BY_AGGREGATE", "42903",
     "Aggregate functions are not allowed in GROUP BY, but found <sqlExpr>."},
    {"GROUP_BY_POS_AGGREGATE", "42903",
     "GROUP BY <index> refers to an expression <aggExpr> that contains an aggregate function. "
     "Aggregate functions are not allowed in GROUP BY."},
    {"GROUP_BY_POS_OUT_OF_RANGE", "42805",
     "GROUP BY position <index> is not in select list (valid range is [1, <size>])."},
    {"ILLEGAL_DAY_OF_WEEK", "22009", "Illegal input for day of week: <string>."},
    {"INCOMPARABLE_PIVOT_COLUMN", "42818",
     "Invalid pivot column <columnName>. Pivot columns must be comparable."},
    {"INCOMPATIBLE_COLUMN_TYPE", "42825",
     "<operator> can only be performed on tables with compatible column types. The "
     "<columnOrdinalNumber> column of the <tableOrdinalNumber> table is <dataType1> type which is "
     "not compatible with <dataType2> at the same column of the first table.<hint>."},
    {"INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST", "KD000",
     "Cannot write incompatible data for the table <tableName>: Cannot safely cast <colName> "
     "<srcType> to <targetType>."},
    {"INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION", "42K0B",
     "You may get a different result due to the upgrading to Spark >= 3.0:\nFail to recognize "
     "<pattern> pattern in the DateTimeFormatter. 1) You can set <config> to \"LEGACY\" to restore "
     "the behavior before Spark 3.0. 2) You can form a valid datetime pattern with the guide from "
     "'<docroot>/sql-ref-datetime-pattern.html'."},
    {"INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS", "21S01",
     "Cannot write to <tableName>, the reason is not enough data columns:\nTable columns: "
     "<tableColumns>.\nData columns: <dataColumns>."},
    {"INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS", "21S01",
     "Cannot write to <tableName>, the reason is too many data columns:\nTable columns: "
     "<tableColumns>.\nData columns: <dataColumns>."},
    {"INTERNAL_ERROR", "XX000", "<message>"},
    {"INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION", "22015",
     "Integer overflow while operating with intervals. Try devising appropriate values for the "
     "interval parameters."},
    {"INTERVAL_ARITHMETIC_OVERFLOW.WITH_SUGGESTION", "22015",
     "Integer overflow while operating with intervals. Use <functionName> to tolerate overflow and "
     "return NULL instead."},
    {"INTERVAL_DIVIDED_BY_ZERO", "22012",
     "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead."},
    {"INVALID_AGGREGATE_FILTER.CONTAINS_AGGREGATE", "42903",
     "The FILTER expression <filterExpr> in an aggregate function is invalid. Expected a FILTER "
     "expression without an aggregation, but found <aggExpr>."},
    {"INVALID_AGGREGATE_FILTER.CONTAINS_WINDOW_FUNCTION", "42903",
     "The FILTER expression <filterExpr> in an aggregate function is invalid. Expected a FILTER "
     "expression without a window function, but found <windowExpr>."},
    {"INVALID_AGGREGATE_FILTER.NON_DETERMINISTIC", "42903",
     "The FILTER expression <filterExpr> in an aggregate function is invalid. Expected a "
     "deterministic FILTER expression."},
    {"INVALID_AGGREGATE_FILTER.NOT_BOOLEAN", "42903",
     "The FILTER expression <filterExpr> in an aggregate function is invalid. Expected a FILTER "
     "expression of the BOOLEAN type."},
    {"INVALID_ARRAY_INDEX", "22003",
     "The index <indexValue> is out of bounds. The array has <arraySize> elements. Use the SQL "
     "function `get()` to tolerate accessing element at invalid index and return NULL instead. If "
     "necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "22003",
     "The index <indexValue> is out of bounds. The array has <arraySize> elements. Use "
     "`try_element_at` to tolerate accessing element at invalid index and return NULL instead. If "
     "necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"INVALID_DEFAULT_VALUE.NOT_CONSTANT", "42623",
     "Failed to execute <statement> command because the destination column or variable <colName> "
     "has a DEFAULT value <defaultValue>, which is not a constant expression whose equivalent "
     "value is known at query planning time."},
    {"INVALID_DEFAULT_VALUE.UNRESOLVED_EXPRESSION", "42623",
     "Failed to execute <statement> command because the destination column or variable <colName> "
     "has a DEFAULT value <defaultValue>, which fails to resolve as a valid expression."},
    {"INVALID_DELIMITER_VALUE.DELIMITER_LONGER_THAN_EXPECTED", "42602",
     "Invalid value for delimiter. Delimiter cannot be more than one character: <str>."},
    {"INVALID_DELIMITER_VALUE.EMPTY_STRING", "42602",
     "Invalid value for delimiter. Delimiter cannot be empty string."},
    {"INVALID_ESC", "42604",
     "Found an invalid escape string: <invalidEscape>. The escape string must contain only one "
     "character."},
    {"INVALID_EXPR_TYPE_FOR_QUERY_EXECUTE_IMMEDIATE", "42K09",
     "Expression type must be string type but got <exprType>."},
    {"INVALID_EXTRACT_BASE_FIELD_TYPE", "42000",
     "Can't extract a value from <base>. Need a complex type [STRUCT, ARRAY, MAP] but got "
     "<other>."},
    {"INVALID_EXTRACT_FIELD", "42601", "Cannot extract <field> from <expr>."},
    {"INVALID_FORMAT.CONT_THOUSANDS_SEPS", "42601",
     "The format is invalid: <format>. Thousands separators (, or G) must have digits in between "
     "them in the number format."},
    {"INVALID_FORMAT.EMPTY", "42601",
     "The format is invalid: <format>. The number format string cannot be empty."},
    {"INVALID_FORMAT.ESC_AT_THE_END", "42601",
     "The format is invalid: <format>. The escape character is not allowed to end with."},
    {"INVALID_FORMAT.ESC_IN_THE_MIDDLE", "42601",
     "The format is invalid: <format>. The escape character is not allowed to precede <char>."},
    {"INVALID_FORMAT.MISMATCH_INPUT", "42601",
     "The format is invalid: <format>. The input <inputType> <input> does not match the "
     "format."},
    {"INVALID_FORMAT.UNEXPECTED_TOKEN", "42601",
     "The format is invalid: <format>. Found the unexpected <token> in the format string; the "
     "structure of the format string must match: `[MI|S]` `[$]` `[0|9|G|,]*` `[.|D]` `[0|9]*` "
     "`[$]` `[PR|MI|S]`."},
    {"INVALID_FORMAT.WRONG_NUM_DIGIT", "42601",
     "The format is invalid: <format>. The format string requires at least one number digit."},
    {"INVALID_FRACTION_OF_SECOND", "22023",
     "Valid range for seconds is [0, 60] (inclusive), but the provided value is <secAndMicros>. To "
     "avoid this error, use `try_make_timestamp`, which returns NULL on error.\nIf you do not want "
     "to use the session default timestamp version of this function, use `try_make_timestamp_ntz` "
     "or `try_make_timestamp_ltz`."},
    {"INVALID_INDEX_OF_ZERO", "22003",
     "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index "
     "1)."},
    {"INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE", "42000",
     "Invalid inline table. Cannot evaluate the expression <expr> in inline table definition."},
    {"INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE", "42000",
     "Invalid inline table. Found incompatible types in the column <colName> for inline table."},
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
    {"INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING", "22006",
     "Error parsing '<input>' to interval. Please ensure that the value provided is in a valid "
     "format for defining an interval. You can reference the documentation for the correct format. "
     "Interval string does not match <intervalStr> format of <supportedFormat> when cast to "
     "<typeName>: <input>."},
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
    {"INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES", "42K0D",
     "Invalid lambda function call. The lambda function has duplicate arguments <args>. Please, "
     "consider to rename the argument names or set <caseSensitiveConfig> to \"true\"."},
    {"INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION", "42K0D",
     "Invalid lambda function call. A lambda function should only be used in a higher order "
     "function. However, its class is <class>, which is not a higher order function."},
    {"INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH", "42K0D",
     "Invalid lambda function call. A higher order function expects <expectedNumArgs> arguments, "
     "but got <actualNumArgs>."},
    {"INVALID_LATERAL_JOIN_TYPE", "42613",
     "The <joinType> JOIN with LATERAL correlation is not allowed because an OUTER subquery "
     "cannot correlate to its join partner. Remove the LATERAL correlation or use an INNER JOIN, "
     "or LEFT OUTER JOIN instead."},
    {"INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE", "42K0E",
     "The limit like expression <expr> is invalid. The <name> expression must be integer type, but "
     "got <dataType>."},
    {"INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE", "42K0E",
     "The limit like expression <expr> is invalid. The <name> expression must be equal to or "
     "greater than 0, but got <v>."},
    {"INVALID_LIMIT_LIKE_EXPRESSION.IS_NULL", "42K0E",
     "The limit like expression <expr> is invalid. The evaluated <name> expression must not be "
     "null."},
    {"INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE", "42K0E",
     "The limit like expression <expr> is invalid. The <name> expression must evaluate to a "
     "constant value."},
    {"INVALID_NUMERIC_LITERAL_RANGE", "22003",
     "Numeric literal <rawStrippedQualifier> is outside the valid range for <typeName> with "
     "minimum value of <minValue> and maximum value of <maxValue>. Please adjust the value "
     "accordingly."},
    {"INVALID_OPTIONS.NON_MAP_FUNCTION", "42K06",
     "Invalid options: Must use the `map()` function for options."},
    {"INVALID_OPTIONS.NON_STRING_TYPE", "42K06",
     "Invalid options: A type of keys and values in `map()` must be string, but got <mapType>."},
    {"INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: detail message: "
     "<detailMessage>"},
    {"INVALID_PARAMETER_VALUE.AES_IV_LENGTH", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: supports 16-byte CBC "
     "IVs and 12-byte GCM IVs, but got <actualLength> bytes for <mode>."},
    {"INVALID_PARAMETER_VALUE.AES_KEY_LENGTH", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects a binary value "
     "with 16, 24 or 32 bytes, but got <actualLength> bytes."},
    {"INVALID_PARAMETER_VALUE.BINARY_FORMAT", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of binary "
     "formats 'base64', 'hex', 'utf-8', but got <invalidFormat>."},
    {"INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects an integer "
     "value in [0, <upper>), but got <invalidValue>."},
    {"INVALID_PARAMETER_VALUE.CHARSET", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the "
     "<charsets>, but got <charset>."},
    {"INVALID_PARAMETER_VALUE.DATETIME_UNIT", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: expects one of the units "
     "without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, "
     "MILLISECOND, MICROSECOND, but got the string literal <invalidValue>."},
    {"INVALID_PARAMETER_VALUE.LENGTH", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: Expects `length` "
     "greater than or equal to 0, but got <length>."},
    {"INVALID_PARAMETER_VALUE.PATTERN", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: <value>."},
    {"INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", "22023",
     "The value of parameter(s) <parameter> in <functionName> is invalid: Expects group index "
     "between 0 and <groupCount>, but got <groupIndex>."},
    {"INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY", "42601",
     "The partition command is invalid. Table <name> is not partitioned."},
    {"INVALID_SCHEMA.NON_STRING_LITERAL", "42K07",
     "The input schema <inputSchema> is not a valid schema string. The input expression must "
     "be string literal and not null."},
    {"INVALID_SCHEMA.NON_STRUCT_TYPE", "42K07",
     "The input schema <inputSchema> is not a valid schema string. The input expression should "
     "be evaluated to struct type, but got <dataType>."},
    {"INVALID_SCHEMA.PARSE_ERROR", "42K07",
     "The input schema <inputSchema> is not a valid schema string. Cannot parse the "
     "schema:\n<reason>"},
    {"INVALID_SQL_SYNTAX.CREATE_TEMP_FUNC_WITH_DATABASE", "42000",
     "Invalid SQL syntax: CREATE TEMPORARY FUNCTION with specifying a database(<database>) is "
     "not allowed."},
    {"INVALID_SQL_SYNTAX.FUNCTION_WITH_UNSUPPORTED_SYNTAX", "42000",
     "Invalid SQL syntax: The function <prettyName> does not support <syntax>."},
    {"INVALID_SQL_SYNTAX.INVALID_IDENTIFIER", "42000",
     "Invalid SQL syntax: The identifier <ident> is invalid. Please, consider quoting it with "
     "back-quotes as `<ident>`."},
    {"INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION", "42000",
     "Invalid SQL syntax: The definition of window <windowName> is repetitive."},
    {"INVALID_STATEMENT_FOR_EXECUTE_INTO", "07501",
     "The INTO clause of EXECUTE IMMEDIATE is only valid for queries but the given statement is "
     "not a query: <sqlString>."},
    {"INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN", "42823",
     "Invalid subquery: Scalar subquery must return only one column, but got <number>."},
    {"INVALID_TIMESTAMP_FORMAT", "22000",
     "The provided timestamp doesn't match the expected syntax yyyyMMddHHmmssSSS."},
    {"INVALID_TIMEZONE", "22009",
     "The timezone: <timeZone> is invalid. The timezone must be either a region-based zone ID or a "
     "zone offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone "
     "offsets must be in the format '(+|-)HH', '(+|-)HH:mm’ or '(+|-)HH:mm:ss', e.g '-08' , "
     "'+01:00' or '-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and 'UTC' are "
     "accepted as synonyms for '+00:00'."},
    {"INVALID_TYPED_LITERAL", "42604",
     "The value of the typed literal <valueType> is invalid: <value>."},
    {"INVALID_URL", "22P02",
     "The url is invalid: <url>. Use `try_parse_url` to tolerate invalid URL and return NULL "
     "instead. If necessary set <ansiConfig> to \"false\" to bypass this error."},
    {"INVALID_UTF8_STRING", "22029", "Invalid UTF8 byte sequence found in string: <str>."},
    {"INVALID_WHERE_CONDITION", "42903",
     "The WHERE condition <condition> contains invalid expressions: <expressionList>.\nRewrite the "
     "query to avoid window functions, aggregate functions, and generator functions in the WHERE "
     "clause."},
    {"INVALID_WINDOW_SPEC_FOR_AGGREGATION_FUNC", "42601",
     "Cannot specify ORDER BY or a window frame for <aggFunc>."},
    {"INVALID_WITHIN_GROUP_EXPRESSION.DISTINCT_UNSUPPORTED", "42K0K",
     "Invalid function <funcName> with WITHIN GROUP. The function does not support DISTINCT with "
     "WITHIN GROUP."},
    {"INVALID_WITHIN_GROUP_EXPRESSION.MISMATCH_WITH_DISTINCT_INPUT", "42K0K",
     "Invalid function <funcName> with WITHIN GROUP. The function is invoked with DISTINCT and "
     "WITHIN GROUP but expressions <funcArg> and <orderingExpr> do not match. The WITHIN GROUP "
     "ordering expression must be picked from the function inputs."},
    {"INVALID_WITHIN_GROUP_EXPRESSION.WITHIN_GROUP_MISSING", "42K0K",
     "Invalid function <funcName> with WITHIN GROUP. WITHIN GROUP is required for the function."},
    {"INVALID_WITHIN_GROUP_EXPRESSION.WRONG_NUM_ORDERINGS", "42K0K",
     "Invalid function <funcName> with WITHIN GROUP. The function requires <expectedNum> orderings "
     "in WITHIN GROUP but got <actualNum>."},
    {"MALFORMED_CHARACTER_CODING", "22000",
     "Invalid value found when performing <function> with <charset>"},
    {"MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", "22023",
     "Malformed records are detected in record parsing: <badRecord>.\nParse Mode: "
     "<failFastMode>. To process malformed records as null result, try setting the option "
     "'mode' as 'PERMISSIVE'."},
    {"MISSING_AGGREGATION", "42803",
     "The non-aggregating expression <expression> is based on columns which are not participating "
     "in the GROUP BY clause.\nAdd the columns or the expression to the GROUP BY, aggregate the "
     "expression, or use <expressionAnyValue> if you do not care which of the values within a "
     "group is returned."},
    {"MISSING_GROUP_BY", "42803",
     "The query does not include a GROUP BY clause. Add GROUP BY or turn it into the window "
     "functions using OVER clauses."},
    {"MISSING_WINDOW_SPECIFICATION", "42P20",
     "Window specification is not defined in the WINDOW clause for <windowName>. For more "
     "information about WINDOW clauses, please refer to "
     "'<docroot>/sql-ref-syntax-qry-select-window.html'."},
    {"NESTED_AGGREGATE_FUNCTION", "42607",
     "It is not allowed to use an aggregate function in the argument of another aggregate "
     "function. Please use the inner aggregate function in a sub-query."},
    {"NESTED_EXECUTE_IMMEDIATE", "07501",
     "Nested EXECUTE IMMEDIATE commands are not allowed. Please ensure that the SQL query "
     "provided (<sqlString>) does not contain another EXECUTE IMMEDIATE command."},
    {"NON_FOLDABLE_ARGUMENT", "42K08",
     "The function <funcName> requires the parameter <paramName> to be a foldable expression "
     "of the type <paramType>, but the actual argument is a non-foldable."},
    {"NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION", "42613",
     "When there are more than one MATCHED clauses in a MERGE statement, only the last MATCHED "
     "clause can omit the condition."},
    {"NON_LAST_NOT_MATCHED_BY_SOURCE_CLAUSE_OMIT_CONDITION", "42613",
     "When there are more than one NOT MATCHED BY SOURCE clauses in a MERGE statement, only the "
     "last NOT MATCHED BY SOURCE clause can omit the condition."},
    {"NON_LAST_NOT_MATCHED_BY_TARGET_CLAUSE_OMIT_CONDITION", "42613",
     "When there are more than one NOT MATCHED [BY TARGET] clauses in a MERGE statement, only the "
     "last NOT MATCHED [BY TARGET] clause can omit the condition."},
    {"NON_LITERAL_PIVOT_VALUES", "42K08",
     "Literal expressions required for pivot values, found <expression>."},
    {"NON_PARTITION_COLUMN", "42000",
     "PARTITION clause cannot contain the non-partition column: <columnName>."},
    {"NOT_A_CONSTANT_STRING.NOT_CONSTANT", "42601",
     "The expression <expr> used for the routine or clause <name> must be a constant STRING "
     "which is NOT NULL. To be considered constant the expression must not depend on any "
     "columns, contain a subquery, or invoke a non deterministic function such as rand()."},
    {"NOT_A_CONSTANT_STRING.NULL", "42601",
     "The expression <expr> used for the routine or clause <name> must be a constant STRING "
     "which is NOT NULL. The expression <expr> evaluates to NULL."},
    {"NOT_A_CONSTANT_STRING.WRONG_TYPE", "42601",
     "The expression <expr> used for the routine or clause <name> must be a constant STRING "
     "which is NOT NULL. The data type of the expression is <dataType>."},
    {"NULL_MAP_KEY", "2200E", "Cannot use null as map key."},
    {"NULL_QUERY_STRING_EXECUTE_IMMEDIATE", "22004",
     "Execute immediate requires a non-null variable as the query string, but the provided "
     "variable <varName> is null."},
    {"NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", "22003",
     " <value> cannot be represented as Decimal(<precision>, <scale>). If necessary set <config> "
     "to \"false\" to bypass this error, and return NULL instead."},
    {"NUM_COLUMNS_MISMATCH", "42826",
     "<operator> can only be performed on inputs with the same number of columns, but the first "
     "input has <firstNumColumns> columns and the <invalidOrdinalNum> input has "
     "<invalidNumColumns> columns."},
    {"OPERATION_CANCELED", "HY008", "Operation has been canceled."},
    {"ORDER_BY_POS_OUT_OF_RANGE", "42805",
     "ORDER BY position <index> is not in select list (valid range is [1, <size>])."},
    {"PARSE_MODE_UNSUPPORTED", "42601",
     "The function <funcName> doesn't support the <mode> mode. Acceptable modes are PERMISSIVE "
     "and FAILFAST."},
    {"PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near <error><hint>."},
    {"PATH_NOT_FOUND", "42K03", "Path does not exist: <path>."},
    {"RECURSION_LEVEL_LIMIT_EXCEEDED", "42836",
     "Recursion level limit <levelLimit> reached but query has not exhausted, try increasing it "
     "like 'WITH RECURSIVE t(col) MAX RECURSION LEVEL 200'."},
    {"RECURSION_ROW_LIMIT_EXCEEDED", "42836",
     "Recursion row limit <rowLimit> reached but query has not exhausted, try setting a larger "
     "LIMIT value when querying the CTE relation."},
    {"RECURSIVE_VIEW", "42K0H", "Recursive view <viewIdent> detected (cycle: <newPath>)."},
    {"REQUIRED_PARAMETER_NOT_FOUND", "4274K",
     "Cannot invoke routine <routineName> because the parameter named <parameterName> is "
     "required, but the routine call did not supply a value. Please update the routine call to "
     "supply an argument value (either positionally at index <index> or by name) and retry the "
     "query again."},
    {"ROUTINE_ALREADY_EXISTS", "42723",
     "Cannot create the <newRoutineType> <routineName> because a <existingRoutineType> of that "
     "name already exists.\nChoose a different name, drop or replace the existing "
     "<existingRoutineType>, or add the IF NOT EXISTS clause to tolerate a pre-existing "
     "<newRoutineType>."},
    {"ROUTINE_NOT_FOUND", "42883",
     "The routine <routineName> cannot be found. Verify the spelling and correctness of the "
     "schema and catalog.\nIf you did not qualify the name with a schema and catalog, verify the "
     "current_schema() output, or qualify the name with the correct schema and catalog.\nTo "
     "tolerate the error on drop use DROP ... IF EXISTS."},
    {"ROW_SUBQUERY_TOO_MANY_ROWS", "21000",
     "More than one row returned by a subquery used as a row."},
    {"SCALAR_SUBQUERY_TOO_MANY_ROWS", "21000",
     "More than one row returned by a subquery used as an expression."},
    {"SCHEMA_ALREADY_EXISTS", "42P06",
     "Cannot create schema <schemaName> because it already exists.\nChoose a different name, drop "
     "the existing schema, or add the IF NOT EXISTS clause to tolerate pre-existing schema."},
    {"SCHEMA_NOT_EMPTY", "2BP01",
     "Cannot drop a schema <schemaName> because it contains objects.\nUse DROP SCHEMA ... CASCADE "
     "to drop the schema and all its objects."},
    {"SCHEMA_NOT_FOUND", "42704",
     "The schema <schemaName> cannot be found. Verify the spelling and correctness of the schema "
     "and catalog.\nIf you did not qualify the name with a catalog, verify the current_schema() "
     "output, or qualify the name with the correct catalog.\nTo tolerate the error on drop use "
     "DROP SCHEMA IF EXISTS."},
    {"STAR_GROUP_BY_POS", "0A000",
     "Star (*) is not allowed in a select list when GROUP BY an ordinal position is used."},
    {"TABLE_OR_VIEW_ALREADY_EXISTS", "42P07",
     "Cannot create table or view <relationName> because it already exists.\nChoose a different "
     "name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate "
     "pre-existing objects."},
    {"TABLE_OR_VIEW_NOT_FOUND", "42P01",
     "The table or view <relationName> cannot be found. Verify the spelling and correctness of "
     "the schema and catalog.\nIf you did not qualify the name with a schema, verify the "
     "current_schema() output, or qualify the name with the correct schema and catalog.\nTo "
     "tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS."},
    {"TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", "42P07",
     "Cannot create the temporary view <relationName> because it already exists.\nChoose a "
     "different name, drop or replace the existing view,  or add the IF NOT EXISTS clause to "
     "tolerate pre-existing views."},
    {"UDTF_ALIAS_NUMBER_MISMATCH", "42802",
     "The number of aliases supplied in the AS clause does not match the number of columns output "
     "by the UDTF. Expected <aliasesSize> aliases, but got <aliasesNames>. Please ensure that the "
     "number of aliases provided matches the number of columns output by the UDTF."},
    {"UNABLE_TO_ACQUIRE_MEMORY", "53200",
     "Unable to acquire <requestedBytes> bytes of memory, got <receivedBytes>."},
    {"UNABLE_TO_INFER_SCHEMA", "42KD9",
     "Unable to infer schema for <format>. It must be specified manually."},
    {"UNBOUND_SQL_PARAMETER", "42P02",
     "Found the unbound parameter: <name>. Please, fix `args` and provide a mapping of the "
     "parameter to either a SQL literal or collection constructor functions such as `map()`, "
     "`array()`, `struct()`."},
    {"UNCLOSED_BRACKETED_COMMENT", "42601",
     "Found an unclosed bracketed comment. Please, append */ at the end of the comment."},
    {"UNPIVOT_VALUE_DATA_TYPE_MISMATCH", "42K09",
     "Unpivot value columns must share a least common type, some types do not: [<types>]."},
    {"UNPIVOT_VALUE_SIZE_MISMATCH", "428C4",
     "All unpivot value columns must have the same size as there are value column names "
     "(<names>)."},
    {"UNRECOGNIZED_PARAMETER_NAME", "4274K",
     "Cannot invoke routine <routineName> because the routine call included a named argument "
     "reference for the argument named <argumentName>, but this routine does not include any "
     "signature containing an argument with this name. Did you mean one of the following? "
     "[<proposals>]."},
    {"UNRESOLVABLE_TABLE_VALUED_FUNCTION", "42883",
     "Could not resolve <name> to a table-valued function. Please make sure that <name> is "
     "defined as a table-valued function and that all required parameters are provided "
     "correctly. If <name> is not defined, please create the table-valued function before using "
     "it. For more information about defining table-valued functions, please refer to the Apache "
     "Spark documentation."},
    {"UNRESOLVED_ALL_IN_GROUP_BY", "42803",
     "Cannot infer grouping columns for GROUP BY ALL based on the select clause. Please explicitly "
     "specify the grouping columns."},
    {"UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703",
     "A column, variable, or function parameter with name <objectName> cannot be resolved. "},
    {"UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
     "A column, variable, or function parameter with name <objectName> cannot be resolved. Did "
     "you mean one of the following? [<proposal>]."},
    {"UNRESOLVED_ROUTINE", "42883",
     "Cannot resolve routine <routineName> on search path <searchPath>."},
    {"UNRESOLVED_USING_COLUMN_FOR_JOIN", "42703",
     "USING column <colName> cannot be resolved on the <side> side of the join. The <side>-side "
     "columns: [<suggestion>]."},
    {"UNRESOLVED_VARIABLE", "42883",
     "Cannot resolve variable <variableName> on search path <searchPath>."},
    {"UNSET_NONEXISTENT_PROPERTIES", "42K0J",
     "Attempted to unset non-existent properties [<properties>] in table <table>."},
    {"UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY", "0A000",
     "Unsupported data source type for direct query on files: <dataSourceType>"},
    {"UNSUPPORTED_DATATYPE", "0A000", "Unsupported data type <typeName>."},
    {"UNSUPPORTED_EXPR_FOR_WINDOW", "42P20",
     "Expression <sqlExpr> not supported within a window function."},
    {"UNSUPPORTED_FEATURE", "0A000", "The feature is not supported:"},
    {"UNSUPPORTED_FEATURE.AES_MODE", "0A000",
     "The feature is not supported: AES-<mode> with the padding <padding> by the <functionName> "
     "function."},
    {"UNSUPPORTED_FEATURE.AES_MODE_AAD", "0A000",
     "The feature is not supported: <functionName> with AES-<mode> does not support additional "
     "authenticate data (AAD)."},
    {"UNSUPPORTED_FEATURE.AES_MODE_IV", "0A000",
     "The feature is not supported: <functionName> with AES-<mode> does not support "
     "initialization vectors (IVs)."},
    {"UNSUPPORTED_FEATURE.NOT_YET", "0A000",
     "The feature is not supported: <message> is not built in Lakehouse yet."},
    {"UNSUPPORTED_GENERATOR.MULTI_GENERATOR", "42K0E",
     "The generator is not supported: only one generator allowed per SELECT clause but found "
     "<num>: <generators>."},
    {"UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS", "42K0E",
     "The generator is not supported: nested in expressions <expression>."},
    {"UNSUPPORTED_GENERATOR.OUTSIDE_SELECT", "42K0E",
     "The generator is not supported: outside the SELECT clause, found: <plan>."},
    {"UNSUPPORTED_GROUPING_EXPRESSION", "42K0E",
     "grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup."},
    {"UNSUPPORTED_INSERT.NOT_ALLOWED", "42809",
     "Can't insert into the target. The target relation <relationId> does not allow insertion."},
    {"UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.CORRELATED_REFERENCE", "0A000",
     "Unsupported subquery expression: Expressions referencing the outer query are not "
     "supported outside of WHERE/HAVING clauses: <sqlExprs>."},
    {"UNSUPPORTED_TYPED_LITERAL", "0A000",
     "Literals of the type <unsupportedType> are not supported. Supported types are "
     "<supportedTypes>."},
    {"USER_RAISED_EXCEPTION", "P0001", "<errorMessage>"},
    {"USER_RAISED_EXCEPTION_PARAMETER_MISMATCH", "P0001",
     "The `raise_error()` function was used to raise error class: <errorClass> which expects "
     "parameters: <expectedParms>. The provided parameters <providedParms> do not match the "
     "expected parameters. Please make sure to provide all expected parameters."},
    {"USER_RAISED_EXCEPTION_UNKNOWN_ERROR_CLASS", "P0001",
     "The `raise_error()` function was used to raise an unknown error class: <errorClass>"},
    {"VARIABLE_ALREADY_EXISTS", "42723",
     "Cannot create the variable <variableName> because it already exists. Choose a different "
     "name, or drop or replace the existing variable."},
    {"VARIABLE_NOT_FOUND", "42883",
     "The variable <variableName> cannot be found. Verify the spelling and correctness of the "
     "schema and catalog. If you did not qualify the name with a schema and catalog, verify the "
     "current_schema() output, or qualify the name with the correct schema and catalog. To "
     "tolerate the error on drop use DROP VARIABLE IF EXISTS."},
    {"WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED", "0AKDE",
     "Failed to execute <commandType> command because it assigned a column DEFAULT value, but the "
     "corresponding table feature was not enabled. Please retry the command again after executing "
     "ALTER TABLE tableName SET TBLPROPERTIES('delta.feature.allowColumnDefaults' = 'supported')."},
    {"WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605",
     "The <functionName> requires <expectedNum> parameters but the actual number is <actualNum>. "
     "Please, refer to '<docroot>/sql-ref-functions.html' for a fix."},
    {"WRONG_NUM_ARGS.WITH_SUGGESTION", "42605",
     "The <functionName> requires <expectedNum> parameters but the actual number is <actualNum>. "
     "If you have to call this function with <legacyNum> parameters, set the legacy configuration "
     "<legacyConfKey> to <legacyConfValue>."},
    {"_LEGACY_ERROR_TEMP_0024", "42000",
     "Can only have a single from-to unit in the interval literal syntax."},
    {"_LEGACY_ERROR_TEMP_0026", "42000",
     "Can only use numbers in the interval value part for multiple unit value pairs interval "
     "form, but got invalid value: <value>."},
    {"_LEGACY_ERROR_TEMP_0027", "42000", "The value of from-to unit must be a string."},
    {"_LEGACY_ERROR_TEMP_0029", "42000", "Cannot mix year-month and day-time fields: <literal>."},
    {"_LEGACY_ERROR_TEMP_0051", "42000", "Empty set in <element> grouping sets is not supported."},
    {"_LEGACY_ERROR_TEMP_0063", "42000", "<msg>"},
    {"_LEGACY_ERROR_TEMP_0064", "42000", "<msg>"},
    {"_LEGACY_ERROR_TEMP_1006", "42000",
     "Aggregate expression required for pivot, but '<sql>' did not appear in any aggregate "
     "function."},
    {"_LEGACY_ERROR_TEMP_1021", "42000",
     "count(<targetString>.*) is not allowed. Please use count(*) or expand the columns manually, "
     "e.g. count(col1, col2)."},
    {"_LEGACY_ERROR_TEMP_1030", "42000",
     "Window aggregate function with filter predicate is not supported yet."},
    {"_LEGACY_ERROR_TEMP_1037", "42000",
     "Window function <wf> requires window to be ordered, please add ORDER BY clause. For example "
     "SELECT <wf>(value_expr) OVER (PARTITION BY window_partition ORDER BY window_ordering) from "
     "table."},
    {"_LEGACY_ERROR_TEMP_1183", "42000", "Cannot use interval type in the table schema."},
    {"_LEGACY_ERROR_TEMP_1231", "42000",
     "<key> is not a valid partition column in table <tblName>."},
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
    if (c == NULL)
        fprintf(stderr, "sqlerr: unknown error class %s\n", error_class);
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
