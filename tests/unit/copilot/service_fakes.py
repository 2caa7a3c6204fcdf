"""A domain service stand-in for the copilot's tests: records each call and answers as told."""


class Recorder:
    """A service that records how it was called and answers as the real one is shaped."""

    def __init__(self, **answers):
        self.calls, self.answers = [], answers

    def __getattr__(self, method):
        def call(tenant_id, request, *rest):
            self.calls.append((method, tenant_id, request))
            return self.answers[method]
        return call
