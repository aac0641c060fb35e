namespace HcpPlatform.Engine.Simulation;

/// <summary>Channel indexes in <see cref="Config.SimulationConfig.Channels"/> order.</summary>
public static class Channel
{
    public const int Email = 0;
    public const int RepVisit = 1;
    public const int Phone = 2;
    public const int Webinar = 3;
    public const int DigitalAd = 4;
    public const int Conference = 5;
    public const int Count = 6;

    public static readonly string[] Names = Config.SimulationConfig.Channels;

    public static readonly string[] StimulusTypes =
        ["email_send", "rep_visit", "phone_call", "webinar_invite", "digital_ad_impression", "conference_touch"];

    public static int IndexOf(string name)
    {
        // Rows carry the very strings of Names: compare references first (asked several times for every row).
        for (var i = 0; i < Names.Length; i++)
        {
            if (ReferenceEquals(Names[i], name))
            {
                return i;
            }
        }
        return Array.IndexOf(Names, name);
    }
}
