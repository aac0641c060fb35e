// ActivitySource and Meter listeners are process-wide: two hosts running at once would see each other's telemetry.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
