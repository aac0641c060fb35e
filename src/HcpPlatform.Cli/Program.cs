using System.CommandLine;
using HcpPlatform.Cli;
using HcpPlatform.Cli.Commands;

var root = new RootCommand("hcp — realistic, reproducible synthetic pharma HCP engagement data in PostgreSQL.")
{
    GenerateCommand.Create(),
    ValidateCommand.Create(),
    IncrementCommand.Create(),
    ShowCommand.Create(),
    ExportCommand.Create(),
    PrivacyCommand.Create(),
    InterventionsCommand.Create(),
    DbCommand.Create(),
    KeysCommand.Create(),
};
return await CliRunner.RunAsync(root, args);
