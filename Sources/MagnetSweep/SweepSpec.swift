// The sweep: spec, evaluation, runner.
