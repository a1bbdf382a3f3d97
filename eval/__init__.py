"""Datasets → figures → reports, beside the main flow: retrieval, answer, refusal, injection and Ragas metrics, the
run history, HTML reports, comparisons and the regression gate. Drives the public surfaces of `assistant`, `index`
and `ingest`, and reads `app`'s audit log for workdesk feedback; never imports `ui`."""
