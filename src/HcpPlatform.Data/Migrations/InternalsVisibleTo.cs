using System.Runtime.CompilerServices;

// The tests inject failing and slow scripts through DatabaseMigrator's internal overload.
[assembly: InternalsVisibleTo("HcpPlatform.Data.Tests")]
[assembly: InternalsVisibleTo("HcpPlatform.Testing")]
