// The run tests train with libtorch, whose random generator is global to the process: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
