using System.Runtime.CompilerServices;

// The validation tests check the statistical helpers and the holiday calendar directly.
[assembly: InternalsVisibleTo("HcpPlatform.Validation.Tests")]
