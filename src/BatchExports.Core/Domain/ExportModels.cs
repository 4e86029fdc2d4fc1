namespace BatchExports.Core.Domain;

public static class ExportModels
{
    public const string Events = "events";
    public const string Persons = "persons";
    public const string Sessions = "sessions";

    public static readonly IReadOnlyList<string> All = [Events, Persons, Sessions];
}
