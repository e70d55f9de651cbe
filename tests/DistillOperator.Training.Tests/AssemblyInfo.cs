// libtorch's random generator is global to the process: tests that seed it and train (dropout, initialisation)
// must not run at the same time, or a resumed run could not be compared with an uninterrupted one.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
