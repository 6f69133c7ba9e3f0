#!/usr/bin/env python3
"""Writes the diagnostics corpus: tests/lang/cases/<name>.vpl and <name>.expected.

Each case below is a program in which every expected diagnostic's position is marked with `$$`
(the markers are removed from the written program), and the list of diagnostics it must
produce, in source order: (code, message, hint or None). The positions therefore come from the
program text, not from running the checker. Run this script after editing a case; commit both.

The .expected file holds the lines `LINE:COL: severity[CODE]: message` and `  hint: ...`
exactly as `varpulis check` prints them, without the `<file>:` prefix.
"""
import pathlib

MARK = "$$"

EV = """event Reading:
    sensor: str
    zone: str
    value: float
    count: int
"""

CASES = []


def case(name, program, *diags):
    CASES.append((name, program, list(diags)))


# ---------------------------------------------------------------- duplicates E001-E006, E007
case("dup_event", """event Reading:
    sensor: str

event $$Reading:
    value: float

stream S = Reading.emit()
""", ("E001", "duplicate event 'Reading'", "first declared at line 1"))

case("dup_event_field", """event Reading:
    value: float
    $$value: int

stream S = Reading.emit()
""", ("E001", "duplicate field 'value' in event 'Reading'", None))

case("dup_stream", EV + """
stream Hot = Reading.where(value > 30.0)
stream $$Hot = Reading.where(value > 40.0)
""", ("E002", "duplicate stream 'Hot'", "first declared at line 7"))

case("dup_pattern_stream", """pattern Pair = SEQ(A as a, B as b) within 5s
stream $$Pair = A.emit()
""", ("E002", "duplicate stream 'Pair': a pattern has this name", "first declared at line 1"))

case("dup_function", """fn double(x: float) -> float:
    return x * 2.0

fn $$double(x: int) -> int:
    return x * 2

stream S = Reading.emit(v: double(value))
""", ("E003", "duplicate function 'double'", "first declared at line 1"))

case("dup_connector", """connector Broker = mqtt (host: "localhost", port: 1883)
connector $$Broker = kafka (brokers: "localhost:9092")

stream S = Reading.emit()
""", ("E004", "duplicate connector 'Broker'", "first declared at line 1"))

case("dup_variable", """let threshold = 30.0
var $$threshold = 10.0

stream S = Reading.where(value > threshold)
""", ("E005", "duplicate variable 'threshold'", "first declared at line 1"))

case("dup_parameter", """fn scale(x: float, $$x: float) -> float:
    return x * 2.0
""", ("E005", "duplicate parameter 'x'", None))

case("dup_type_alias", """type Celsius = float
type $$Celsius = int

event Reading:
    value: Celsius
""", ("E006", "duplicate type alias 'Celsius'", "first declared at line 1"))

case("stream_named_like_event", EV + """
stream $$Reading = Reading.where(value > 1.0)
""", ("E007", "stream 'Reading' has the same name as event type 'Reading'",
      "streams and event types share one namespace; rename the stream"))

case("stream_reads_itself", """stream Trade = $$Trade.where(price > 10.0).emit()
""", ("E007", "stream 'Trade' reads from an event type of its own name",
      "streams and event types share one namespace; rename the stream"))

# ---------------------------------------------------------------- chain structure E010-E016
case("having_without_aggregate", EV + """
stream S = Reading
    .where(value > 1.0)
    .$$having(value > 2.0)
    .emit()
""", ("E010", "'.having' requires a preceding '.aggregate'", "use '.where' to filter records"))

case("two_aggregates", EV + """
stream S = Reading
    .window(10s)
    .aggregate(n: count())
    .$$aggregate(m: count())
    .emit()
""", ("E011", "more than one '.aggregate' in stream 'S'", None))

case("two_windows", EV + """
stream S = Reading
    .window(10s)
    .$$window(5s)
    .aggregate(n: count())
    .emit()
""", ("E012", "more than one '.window' in stream 'S'", None))

case("aggregate_without_window", EV + """
stream S = Reading
    .$$aggregate(n: count(), peak: max(value))
    .emit()
""", ("E013", "'.aggregate' requires a preceding '.window'",
      "add a window first, e.g. '.window(10s)' or '.window(100)'"))

case("partition_by_expression", EV + """
stream S = Reading
    .partition_by($$zone + "-" + sensor)
    .window(10s)
    .aggregate(n: count())
    .emit()
""", ("E014", "'.partition_by' needs a field name",
      "compute the key first, e.g. '.select(..., key: expr).partition_by(key)'"))

case("partition_by_unknown_field", EV + """
stream S = Reading
    .partition_by($$sensr)
    .window(10s)
    .aggregate(n: count())
    .emit()
""", ("E021", "unknown field 'sensr' of 'Reading'", "did you mean 'sensor'?"))

case("window_mixed_kinds", EV + """
stream S = Reading
    .window(5, sliding: $$2s)
    .aggregate(n: count())
    .emit()
""", ("E015", "cannot mix a count window with a time slide",
      "slide a count window by a number of records, e.g. 'sliding: 2'"))

case("window_time_with_count_slide", EV + """
stream S = Reading
    .window(10s, sliding: $$2)
    .aggregate(n: count())
    .emit()
""", ("E015", "cannot mix a time window with a count slide",
      "slide a time window by a duration, e.g. 'sliding: 5s'"))

case("window_zero_count", EV + """
stream S = Reading
    .window($$0)
    .aggregate(n: count())
    .emit()
""", ("E015", "a count window needs at least 1 record, got 0", None))

case("window_sub_millisecond", EV + """
stream S = Reading
    .window($$1500us)
    .aggregate(n: count())
    .emit()
""", ("E015", "the window duration must be a whole number of milliseconds", None))

case("window_not_constant", EV + """
stream S = Reading
    .window($$count)
    .aggregate(n: count())
    .emit()
""", ("E015", "the window size must be a literal or the name of a let/const global", None))

case("window_float_size", EV + """
stream S = Reading
    .window($$2.5)
    .aggregate(n: count())
    .emit()
""", ("E015", "the window size must be an int count or a duration, got float", None))

case("window_session_zero", EV + """
stream S = Reading
    .window(session: $$0s)
    .aggregate(n: count())
    .emit()
""", ("E015", "the session gap must be positive", None))

case("window_no_size", EV + """
stream S = Reading
    .$$window()
    .aggregate(n: count())
    .emit()
""", ("E015", "'.window' needs a size: a count, a duration or 'session: gap'", None))

case("window_unknown_param", EV + """
stream S = Reading
    .window(10s, $$slidng: 5s)
    .aggregate(n: count())
    .emit()
""", ("E080", "unknown parameter 'slidng' for '.window'", "did you mean 'sliding'?"))

case("limit_negative", EV + """
stream S = Reading
    .limit($$-1)
    .emit()
""", ("E016", "'.limit' count must not be negative, got -1", None))

case("limit_float", EV + """
stream S = Reading
    .limit($$2.5)
    .emit()
""", ("E016", "'.limit' needs a non-negative int literal or int constant", None))

# ---------------------------------------------------------------- names E020-E025
case("unknown_source", EV + """
stream S = $$Readings
    .where(value > 1.0)
    .emit()
""", ("E020", "unknown source 'Readings'", "did you mean 'Reading'?"))

case("unknown_source_no_hint", EV + """
stream S = $$Temperature.emit()
""", ("E020", "unknown source 'Temperature'", None))

case("unknown_alias_field", EV + """
stream S = Reading as r
    .where(r.$$valeu > 1.0)
    .emit()
""", ("E021", "unknown field 'valeu' of 'r'", "did you mean 'value'?"))

case("unknown_field_after_select", EV + """
stream S = Reading
    .select(sensor, doubled: value * 2.0)
    .where(Reading.$$value > 1.0)
    .emit()
""", ("E021", "unknown field 'value' of 'Reading'", None))

case("unknown_name_typo", EV + """
let threshold = 30.0

stream S = Reading
    .where(value > $$treshold)
    .emit()
""", ("E022", "unknown name 'treshold'", "did you mean 'threshold'?"))

case("unknown_name_after_aggregate", EV + """
stream S = Reading
    .window(10s)
    .aggregate(n: count())
    .where($$value > 1.0)
    .emit()
""", ("E022", "unknown name 'value'", None))

case("unknown_type", """event Reading:
    sensor: str
    value: $$flaot
""", ("E022", "unknown type 'flaot'", "did you mean 'float'?"))

case("global_uses_later_global", """let a = $$b + 1
let b = 2
""", ("E022", "unknown name 'b'", "'b' is declared later, at line 2"))

case("cycle_two_streams", """stream A = $$B.where(x > 1)
stream B = A.where(x < 10)
""", ("E023", "stream dependency cycle: A -> B -> A",
      "a stream cannot read, directly or indirectly, from itself"))

case("cycle_three_streams", EV + """
stream First = Reading.where(value > 0.0)
stream A = merge(First, $$C)
stream B = A.where(value > 1.0)
stream C = B.where(value > 2.0)
""", ("E023", "stream dependency cycle: A -> C -> B -> A",
      "a stream cannot read, directly or indirectly, from itself"))

case("watermark_on_derived", EV + """
stream Hot = Reading.where(value > 30.0)
stream Late = Hot
    .$$watermark(out_of_order: 2s)
    .emit()
""", ("E024", "'.watermark' needs a stream fed by event types",
      "declare it on the stream that reads the input events"))

case("lateness_on_derived", EV + """
stream Hot = Reading
    .watermark(out_of_order: 2s)
    .where(value > 30.0)
stream Late = Hot
    .$$allowed_lateness(1s)
    .emit()
""", ("E024", "'.allowed_lateness' applies to input events only, and this stream reads a stream",
      None))

case("watermark_unknown_param", EV + """
stream S = Reading
    .watermark($$out_of_ordr: 2s)
    .emit()
""", ("E024", "unknown '.watermark' parameter 'out_of_ordr'", "did you mean 'out_of_order'?"))

case("watermark_negative", EV + """
stream S = Reading
    .watermark(out_of_order: $$-2s)
    .emit()
""", ("E024", "'out_of_order' must be a duration of whole milliseconds, at least 0", None))

ALERT = EV + """
event Alert:
    sensor: str
    level: int
    note: str?
"""

case("emit_as_undeclared", EV + """
stream S = Reading
    .emit as $$Alrt(sensor: sensor)
""", ("E025", "'.emit as' needs a declared event type, and 'Alrt' is not one", None))

case("emit_as_unknown_field", ALERT + """
stream S = Reading
    .emit as Alert(sensor: sensor, level: 3, $$lvl: 4)
""", ("E025", "event 'Alert' has no field 'lvl'", None))

case("emit_as_wrong_type", ALERT + """
stream S = Reading
    .emit as Alert(sensor: sensor, level: $$"high")
""", ("E025", "field 'level' of event 'Alert' is int, got str", None))

case("emit_as_missing_field", ALERT + """
stream S = Reading
    .emit as $$Alert(sensor: sensor)
""", ("E025", "missing field 'level' required by event 'Alert'",
      "declare it 'level: int?' in the event to make it optional"))

# ---------------------------------------------------------------- connectors, variables E030-E041
case("unknown_connector", """connector Broker = mqtt (host: "localhost")

stream S = Reading
    .to($$Brokr, topic: "out")
""", ("E030", "unknown connector 'Brokr'", "did you mean 'Broker'?"))

case("connector_not_supported", """connector Broker = mqtt (host: "localhost")

stream S = Reading
    $$.to(Broker, topic: "out")
""", ("E090", "connectors are not supported yet",
      "'connector' declarations are accepted; '.from' and '.to' come in a later release"))

case("from_connector_not_supported", """connector Broker = mqtt (host: "localhost")

stream S = Reading$$.from(Broker, topic: "readings")
    .emit()
""", ("E090", "connectors are not supported yet",
      "'connector' declarations are accepted; '.from' and '.to' come in a later release"))

case("assign_to_let", """let limit = 10
$$limit := 20
""", ("E040", "cannot assign to 'limit': it is declared with let",
      "declare it with 'var' to make it mutable"))

case("assign_to_const_in_function", """const LIMIT = 10

fn bump() -> int:
    $$LIMIT := LIMIT + 1
    return LIMIT
""", ("E040", "cannot assign to 'LIMIT': it is declared with const",
      "declare it with 'var' to make it mutable"))

case("assign_undeclared", """var total = 0
$$totl := 5
""", ("E040", "cannot assign to undeclared variable 'totl'", "did you mean 'total'?"))

case("const_not_constant", """var base = 10
const LIMIT = $$base * 2
""", ("E041", "const initializer is not a constant expression",
      "'base' is declared with var, not const"))

case("const_calls_function", """fn five() -> int:
    return 5

const N = $$five() + 1
""", ("E041", "const initializer is not a constant expression",
      "it calls the user function 'five'"))

# ---------------------------------------------------------------- functions E050-E053
case("unknown_function_typo", EV + """
stream S = Reading
    .emit(name: $$uper(sensor))
""", ("E050", "unknown function 'uper'", "did you mean 'upper'?"))

case("unknown_function_no_hint", EV + """
stream S = Reading
    .emit(x: $$frobnicate(value))
""", ("E050", "unknown function 'frobnicate'", None))

case("unknown_operation", EV + """
stream S = Reading
    .$$wher(value > 1.0)
    .emit()
""", ("E050", "unknown operation '.wher'", "did you mean 'where'?"))

case("builtin_arity", EV + """
stream S = Reading
    .emit(s: $$substring(sensor))
""", ("E051", "'substring' takes 2 or 3 arguments, got 1", None))

case("user_function_arity", EV + """
fn scale(x: float, k: float) -> float:
    return x * k

stream S = Reading
    .emit(v: $$scale(value))
""", ("E051", "'scale' takes 2 arguments, got 1", None))

case("aggregate_arity", EV + """
stream S = Reading
    .window(10)
    .aggregate(e: $$ema(value))
    .emit()
""", ("E051", "'ema' takes 2 arguments, got 1", None))

case("scalar_max_outside_aggregate", EV + """
stream S = Reading
    .emit(peak: $$max(value))
""", ("E051", "'max' takes 2 arguments, got 1",
      "the aggregate max(e) exists only inside '.aggregate'"))

case("scalar_sum_of_a_number", EV + """
stream S = Reading
    .where(sum($$value) > 10.0)
""", ("E061", "argument 1 of 'sum' must be array, got float",
      "the aggregate sum(e) exists only inside '.aggregate'"))

case("aggregate_outside_aggregate", EV + """
stream S = Reading
    .where($$count() > 3)
    .emit()
""", ("E052", "'count' is an aggregate function, allowed only inside '.aggregate'", None))

case("distinct_outside_count", EV + """
stream S = Reading
    .window(10)
    .aggregate(n: $$distinct(sensor))
    .emit()
""", ("E052", "'distinct' is only allowed as count(distinct(e)) inside '.aggregate'", None))

case("field_outside_aggregate_call", EV + """
stream S = Reading
    .window(10s)
    .aggregate(n: count(), last_zone: $$zone)
    .emit()
""", ("E053", "field 'zone' is used outside an aggregate call in '.aggregate'",
      "aggregate it, e.g. last(zone)"))

# ---------------------------------------------------------------- types E060-E061
case("where_not_bool", EV + """
stream S = Reading
    .where($$value * 2.0)
    .emit()
""", ("E060", "'.where' condition is float, not bool", None))

case("having_not_bool", EV + """
stream S = Reading
    .window(10s)
    .aggregate(n: count())
    .having($$n)
    .emit()
""", ("E060", "'.having' condition is int, not bool", None))

case("if_condition_not_bool", EV + """
stream S = Reading
    .emit(label: if $$zone then "a" else "b")
""", ("E060", "'if' condition is str, not bool", None))

case("compare_float_with_str", EV + """
stream S = Reading
    .where(value $$> "high")
    .emit()
""", ("E061", "cannot compare float with str using '>'", None))

case("equal_str_with_int", EV + """
stream S = Reading
    .where(sensor $$== 3)
    .emit()
""", ("E061", "cannot compare str with int using '=='",
      "values of different kinds are never equal"))

case("str_plus_int", """let label = "a" $$+ 1
""", ("E061", "cannot apply '+' to str and int", "convert with to_string(...) to concatenate"))

case("builtin_argument_kind", EV + """
stream S = Reading
    .emit(up: upper($$value))
""", ("E061", "argument 1 of 'upper' must be str, got float", None))

case("and_operand_not_bool", EV + """
stream S = Reading
    .where($$count and value > 1.0)
    .emit()
""", ("E061", "operand of 'and' must be bool, got int", None))

case("typed_let_mismatch", """let limit: int = $$"ten"
""", ("E061", "'limit' is declared int but its initializer is str", None))

# ---------------------------------------------------------------- E070, E080
case("unknown_aggregate", EV + """
stream S = Reading
    .window(10s)
    .aggregate(n: $$cnt())
    .emit()
""", ("E070", "unknown aggregate function 'cnt'", None))

case("unknown_aggregate_stddev", EV + """
stream S = Reading
    .window(10s)
    .aggregate(sd: $$stdev(value))
    .emit()
""", ("E070", "unknown aggregate function 'stdev'", "did you mean 'stddev'?"))

case("log_unknown_param", EV + """
stream S = Reading
    .log(level: "info", $$mesage: "got one")
""", ("E080", "unknown parameter 'mesage' for '.log'", "did you mean 'message'?"))

# ---------------------------------------------------------------- Tier 2 / out of scope E090
case("tier2_order_by", EV + """
stream S = Reading
    .$$order_by(value)
    .emit()
""", ("E090", "'.order_by' is not supported yet", None))

case("tier2_fork", EV + """
stream S = Reading
    .$$fork(hot: .where(value > 30.0), cold: .where(value < 5.0))
    .emit()
""", ("E090", "'.fork' is not supported yet", None))

case("tier2_pattern_operator", EV + """
stream S = Reading
    .$$pattern(p: Reading -> Reading where value > 1.0)
    .emit()
""", ("E090", "'.pattern' is not supported yet", None))

case("tier2_unclosed", EV + """
stream S = Reading
    .fork(hot: .where(value > 30.0)$$
""", ("E100", "expected ')' to close '.fork(...)', found end of input", None))

case("tier2_filter", EV + """
stream S = Reading
    .$$filter(value > 1.0)
    .emit()
""", ("E090", "'.filter' is not supported yet", "use '.where(...)'"))

case("out_of_scope_score", EV + """
stream S = Reading
    .$$score(model: "m")
    .emit()
""", ("E090", "'.score' is not supported", None))

case("tier2_join_source", EV + """
stream S = $$join(Reading, Reading)
    .emit()
""", ("E090", "join sources are not supported yet", None))

case("tier2_timer_source", """stream Tick = $$timer(5s)
    .emit()
""", ("E090", "timer sources are not supported yet", None))

case("tier2_import", """$$import "common.vpl"

stream S = Reading.emit()
""", ("E090", "'import' is not supported yet", None))

case("tier2_top_level_if", """let debug = true
$$if debug:
    let x = 1
""", ("E090", "top-level 'if' is not supported yet",
      "conditions belong in '.where' or in a function body"))

case("tier2_builtin_clamp", EV + """
stream S = Reading
    .emit(v: $$clamp(value, 0.0, 1.0))
""", ("E090", "function 'clamp' is not supported yet", None))

case("never_now", EV + """
stream S = Reading
    .emit(at: $$now())
""", ("E090", "function 'now' is not available: results must not depend on the wall clock or randomness",
      None))

case("tier2_percentile", EV + """
stream S = Reading
    .window(10s)
    .aggregate(p95: $$percentile(value, 95))
    .emit()
""", ("E090", "function 'percentile' is not supported yet", None))

case("tier2_window_policy", EV + """
stream S = Reading
    .window(10s, $$policy: "strict")
    .aggregate(n: count())
    .emit()
""", ("E090", "window 'policy:' is not supported yet", None))

case("tier2_lambda", EV + """
stream S = Reading
    .emit(f: $$x => x + 1)
""", ("E090", "lambdas are not supported yet", None))

# ---------------------------------------------------------------- warnings W001, W030
case("lateness_without_watermark", EV + """
stream S = Reading
    .$$allowed_lateness(2s)
    .emit()
""", ("W001", "'.allowed_lateness' has no effect: the program declares no '.watermark'", None))

case("implicit_type_near_stream", """stream Hot = Reading.where(value > 30.0)
stream Report = $$Hott.emit()
""", ("W030", "'Hott' is not declared; it is read as an implicit event type",
      "did you mean 'Hot'?"))

# ---------------------------------------------------------------- patterns (patterns.md §4)
PEV = """event Login:
    user: str
    ip: str

event Buy:
    user: str
    amount: float

event Logout:
    user: str
"""

case("pattern_s1_alias_twice", PEV + """
stream S = Login as a
    -> Buy where user == a.user as $$a
    .emit(user: a.user)
""", ("E026", "alias 'a' is already used in this pattern", "first bound at line 12"))

case("pattern_s2_own_alias", PEV + """
stream S = Login as l
    -> all Buy where amount > $$b.amount as b
    .emit(user: l.user)
""", ("E026", "a step predicate cannot refer to its own alias 'b'",
      "bare field names refer to the event being tested"))

case("pattern_s2_later_alias", PEV + """
stream S = Login as l
    -> Buy where user == l.user and amount > $$c.amount as b
    -> Buy where user == l.user as c
    .emit(user: l.user)
""", ("E026", "alias 'c' is bound by a later step",
      "a step predicate can only refer to aliases of earlier steps"))

case("pattern_s3_not_unbound_alias", PEV + """
stream S = Login as l
    -> Buy where user == l.user as b
    .not(Logout where user == $$who.user)
    .emit(user: l.user)
""", ("E026", "alias 'who' is not bound by any step of this pattern", None))

case("pattern_s4_within_twice", PEV + """
stream S = Login as l
    -> Buy where user == l.user as b
    .within(5m)
    .$$within(10m)
    .emit(user: l.user)
""", ("E027", "'.within' is given twice", "a pattern has one deadline; keep a single '.within'"))

case("pattern_s4_within_not_literal", PEV + """
let window = 5m

stream S = Login as l
    -> Buy where user == l.user as b
    .within($$window)
    .emit(user: l.user)
""", ("E027", "'within' needs a duration literal, e.g. 30s", None))

case("pattern_s5_within_without_arrow", PEV + """
stream S = Login
    .$$within(5m)
    .emit()
""", ("E027", "'.within' applies only to pattern streams (with '->' steps)", None))

case("pattern_s5_not_without_arrow", PEV + """
stream S = Login
    .$$not(Logout)
    .emit()
""", ("E027", "'.not' applies only to pattern streams (with '->' steps)", None))

case("pattern_s6_first_optional", PEV + """
pattern P = SEQ(Login$$* as l, Buy as b) within 1h
""", ("E028", "the first step of a SEQ cannot be optional ('*' or '?')", None))

case("pattern_s6_last_optional", PEV + """
pattern P = SEQ(Login as l, Buy$$? as b) within 1h
""", ("E028", "the last step of a SEQ cannot be optional ('*' or '?')", None))

case("pattern_s7_only_kleene", PEV + """
pattern P = SEQ(Buy$$+ as b) within 1h
""", ("E028", "a pattern whose only step is a Kleene step would re-match on every event",
      "add a step before or after it"))

case("pattern_s8_not_first", PEV + """
pattern P = SEQ($$NOT Logout, Buy as b) within 1h
""", ("E028", "a SEQ cannot start with NOT", "a negation needs an earlier step to anchor it"))

case("pattern_s8_not_outside_seq", PEV + """
pattern P = Login as l AND $$NOT Logout within 1h
""", ("E028", "NOT is only allowed between the items of a SEQ", None))

case("pattern_s9_trailing_not_without_within", PEV + """
pattern P = SEQ(Login as l, $$NOT Logout where user == l.user)
""", ("E028", "a trailing NOT needs 'within'", "without a deadline the absence is never confirmed"))

case("pattern_s10_and_of_seq", PEV + """
pattern P = $$SEQ(Login as l, Buy as b) AND Logout as o within 1h
""", ("E028", "each AND operand must be a single positive item", None))

case("pattern_s11_within_on_declared", PEV + """
pattern P = SEQ(Login as l, Buy where user == l.user as b) within 1h

stream S = P
    .$$within(5m)
    .emit(user: l.user)
""", ("E029", "a stream that uses pattern 'P' cannot add '.within'",
      "put it in the declaration of 'P'"))

case("pattern_s11_arrow_on_declared", PEV + """
pattern P = SEQ(Login as l, Buy where user == l.user as b) within 1h

stream S = P
    .where(b.amount > 1.0)
    $$-> Logout as o
    .emit(user: l.user)
""", ("E029", "a stream that uses pattern 'P' cannot add '->' steps",
      "add the steps to the pattern declaration"))

case("function_while_not_bool", """fn countdown(n: int) -> int:
    var i = n
    while $$i:
        i := i - 1
    return i
""", ("E060", "'while' condition is int, not bool", None))

case("function_return_type", """fn label(x: int) -> str:
    return $$x + 1
""", ("E061", "function 'label' returns str, got int", None))

case("pattern_s12_partition_expression", PEV + """
stream S = Login as l
    -> Buy where user == l.user as b
    .partition_by($$upper(user))
    .emit(user: l.user)
""", ("E014", "'.partition_by' needs a field name", None))

case("pattern_s13_not_with_alias", PEV + """
pattern P = SEQ(Login as l, NOT Logout as $$o, Buy as b) within 1h
""", ("E028", "a NOT item cannot have an alias", "nothing is bound by a negative item"))

case("pattern_unknown_alias_field", PEV + """
stream S = Login as l
    -> Buy where user == l.$$usr as b
    .emit(user: l.user)
""", ("E021", "unknown field 'usr' of 'Login'", "did you mean 'user'?"))

case("pattern_tail_bare_field", PEV + """
stream S = Login as l
    -> Buy where user == l.user as b
    .where($$amount > 10.0)
    .emit(user: l.user)
""", ("E022", "unknown name 'amount'", "did you mean 'b_amount'?"))

# ---------------------------------------------------------------- several errors, source order
case("several_errors_in_order", EV + """
let threshold = 30.0

stream Hot = Reading
    .where(value > $$treshold)
    .emit(name: $$uper(sensor), v: value)

stream Stats = Hot
    .$$aggregate(n: count())
    .having(n $$> "three")
""",
     ("E022", "unknown name 'treshold'", "did you mean 'threshold'?"),
     ("E050", "unknown function 'uper'", "did you mean 'upper'?"),
     ("E013", "'.aggregate' requires a preceding '.window'",
      "add a window first, e.g. '.window(10s)' or '.window(100)'"),
     ("E061", "cannot compare int with str using '>'", None))

# ---------------------------------------------------------------- syntax E100, E101 (parser)
case("syntax_missing_paren", EV + """
stream S = Reading
    .where $$value > 1.0
""", ("E100", "expected '(' after 'where', found 'value'", "write '.where(condition)'"))

case("syntax_chained_comparison", EV + """
stream S = Reading
    .where(0.0 < value $$< 10.0)
""", ("E100", "comparison operators cannot be chained",
      "combine the comparisons with 'and', e.g. 'a < b and b < c'"))

case("syntax_bad_number", """let d = $$5min
""", ("E100", "invalid number literal '5min'",
      "a number may only be followed by a duration unit: ns, us, ms, s, m, h or d"))

case("syntax_bad_escape", """let s = "tab$$\\q"
""", ("E100", "invalid escape sequence '\\q' in string literal",
      "valid escapes are \\n \\t \\r \\\\ \\\" \\'"))

case("indent_empty_block", """event Reading:
$$stream S = Reading.emit()
""", ("E101", "expected an indented block after ':'",
      "indent the lines of the block more than the line ending in ':'"))

case("indent_bad_dedent", """fn f(x: int) -> int:
        let y = x
    $$return y
""", ("E101", "unindent does not match any outer indentation level", None))


def render(program, diags, name):
    parts = program.split(MARK)
    if len(parts) - 1 != len(diags):
        raise SystemExit(f"{name}: {len(parts) - 1} markers for {len(diags)} diagnostics")
    text = "".join(parts)
    lines = []
    offset = 0
    for i, (code, message, hint) in enumerate(diags):
        offset += len(parts[i])
        before = text[:offset]
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        severity = "warning" if code.startswith("W") else "error"
        lines.append(f"{line}:{col}: {severity}[{code}]: {message}")
        if hint:
            lines.append(f"  hint: {hint}")
    return text, "\n".join(lines) + "\n"


def main():
    out = pathlib.Path(__file__).resolve().parent / "cases"
    out.mkdir(exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    names = set()
    for name, program, diags in CASES:
        if name in names:
            raise SystemExit(f"duplicate case {name}")
        names.add(name)
        text, expected = render(program, diags, name)
        (out / f"{name}.vpl").write_text(text)
        (out / f"{name}.expected").write_text(expected)
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
