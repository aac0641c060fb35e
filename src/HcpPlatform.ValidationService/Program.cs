using HcpPlatform.ValidationService;

var app = await ValidationServiceApp.BuildAsync(args);
await app.RunAsync();
