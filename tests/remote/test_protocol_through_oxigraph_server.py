"""The endpoint's query-level tests, answered by Oxigraph server through remote mode: the same assertions hold.

Left out, with the reason: tests that build an app of their own (embedded by construction); the query-process
limits (time, memory, sandbox), which are the embedded mode's (remote mode's own are in tests/test_engines.py).
"""

from tests.test_http_details import (
    test_ask_is_not_served_as_csv_or_tsv_which_define_select_results_only,
    test_syntax_errors_are_explained_to_machines_as_text,
)
from tests.test_robustness import (
    test_a_refused_form_post_is_answered_from_its_whole_body,
    test_bad_dataset_iris_are_400,
    test_queries_that_crashed_or_500ed_are_400,
)
from tests.test_sparql import (
    test_ask_in_every_results_format,
    test_bad_requests_get_the_status_the_readme_promises_with_a_message,
    test_bare_get_is_the_service_description,
    test_construct_in_every_graph_format,
    test_default_graph_is_the_union_and_release_graphs_stay_addressable,
    test_describe_returns_turtle,
    test_from_selects_local_graphs_and_fetches_nothing,
    test_get_query_returns_sparql_json,
    test_head_and_cors,
    test_health,
    test_nothing_acceptable_is_406,
    test_post_form_and_post_direct_give_the_same_answer,
    test_protocol_dataset_selects_our_named_graphs,
    test_relative_iris_resolve_against_the_endpoint,
    test_select_in_every_results_format,
    test_service_keyword_in_a_comment_or_string_is_not_refused,
    test_service_not_on_the_allow_list_is_refused_before_anything_leaves,
    test_service_with_a_variable_is_refused,
    test_syntax_error_is_400_with_message_and_position,
    test_updates_are_403_in_every_form,
)

__all__ = [
    "test_a_refused_form_post_is_answered_from_its_whole_body",
    "test_ask_in_every_results_format",
    "test_ask_is_not_served_as_csv_or_tsv_which_define_select_results_only",
    "test_bad_dataset_iris_are_400",
    "test_bad_requests_get_the_status_the_readme_promises_with_a_message",
    "test_bare_get_is_the_service_description",
    "test_construct_in_every_graph_format",
    "test_default_graph_is_the_union_and_release_graphs_stay_addressable",
    "test_describe_returns_turtle",
    "test_from_selects_local_graphs_and_fetches_nothing",
    "test_get_query_returns_sparql_json",
    "test_head_and_cors",
    "test_health",
    "test_nothing_acceptable_is_406",
    "test_post_form_and_post_direct_give_the_same_answer",
    "test_protocol_dataset_selects_our_named_graphs",
    "test_queries_that_crashed_or_500ed_are_400",
    "test_relative_iris_resolve_against_the_endpoint",
    "test_select_in_every_results_format",
    "test_service_keyword_in_a_comment_or_string_is_not_refused",
    "test_service_not_on_the_allow_list_is_refused_before_anything_leaves",
    "test_service_with_a_variable_is_refused",
    "test_syntax_error_is_400_with_message_and_position",
    "test_syntax_errors_are_explained_to_machines_as_text",
    "test_updates_are_403_in_every_form",
]
