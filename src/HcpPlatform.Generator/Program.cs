using HcpPlatform.Generator;

// The generator worker (issue 6). Run locally (embedded PostgreSQL unless ConnectionStrings:hcpdb is set):
//   dotnet run --project src/HcpPlatform.Generator
// Control it through platform.simulation_state (then NOTIFY hcp_simulation_state), e.g.
//   UPDATE platform.simulation_state SET desired_mode = 'running', seconds_per_simulated_day = 2, updated_at = now() WHERE id = 1;
//   NOTIFY hcp_simulation_state;
await using var app = await GeneratorApp.BuildAsync(args);
await app.RunAsync();
