using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchExports.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "batch_export_destinations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    config_ciphertext = table.Column<byte[]>(type: "bytea", nullable: false),
                    integration_id = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_destinations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    @event = table.Column<string>(name: "event", type: "text", nullable: false),
                    distinct_id = table.Column<string>(type: "text", nullable: false),
                    properties = table.Column<string>(type: "jsonb", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: true),
                    person_properties = table.Column<string>(type: "jsonb", nullable: true),
                    elements_chain = table.Column<string>(type: "text", nullable: true),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    inserted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_events", x => new { x.team_id, x.uuid });
                });

            migrationBuilder.CreateTable(
                name: "organizations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organizations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "person_distinct_ids",
                columns: table => new
                {
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    distinct_id = table.Column<string>(type: "text", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    inserted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_person_distinct_ids", x => new { x.team_id, x.distinct_id });
                });

            migrationBuilder.CreateTable(
                name: "persons",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    properties = table.Column<string>(type: "jsonb", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    inserted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_persons", x => new { x.team_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    distinct_id = table.Column<string>(type: "text", nullable: false),
                    start_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    end_timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    urls = table.Column<string[]>(type: "text[]", nullable: false),
                    num_uniq_urls = table.Column<int>(type: "integer", nullable: false),
                    entry_current_url = table.Column<string>(type: "text", nullable: true),
                    entry_pathname = table.Column<string>(type: "text", nullable: true),
                    entry_hostname = table.Column<string>(type: "text", nullable: true),
                    end_current_url = table.Column<string>(type: "text", nullable: true),
                    end_pathname = table.Column<string>(type: "text", nullable: true),
                    end_hostname = table.Column<string>(type: "text", nullable: true),
                    entry_utm_source = table.Column<string>(type: "text", nullable: true),
                    entry_utm_campaign = table.Column<string>(type: "text", nullable: true),
                    entry_utm_medium = table.Column<string>(type: "text", nullable: true),
                    entry_utm_term = table.Column<string>(type: "text", nullable: true),
                    entry_utm_content = table.Column<string>(type: "text", nullable: true),
                    entry_referring_domain = table.Column<string>(type: "text", nullable: true),
                    entry_gclid = table.Column<string>(type: "text", nullable: true),
                    entry_fbclid = table.Column<string>(type: "text", nullable: true),
                    entry_gad_source = table.Column<string>(type: "text", nullable: true),
                    pageview_count = table.Column<int>(type: "integer", nullable: false),
                    autocapture_count = table.Column<int>(type: "integer", nullable: false),
                    screen_count = table.Column<int>(type: "integer", nullable: false),
                    channel_type = table.Column<string>(type: "text", nullable: true),
                    session_duration = table.Column<long>(type: "bigint", nullable: false),
                    is_bounce = table.Column<bool>(type: "boolean", nullable: false),
                    last_external_click_url = table.Column<string>(type: "text", nullable: true),
                    vitals_lcp = table.Column<double>(type: "double precision", nullable: true),
                    inserted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sessions", x => new { x.team_id, x.session_id });
                });

            migrationBuilder.CreateTable(
                name: "teams",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    timezone = table.Column<string>(type: "character varying(240)", maxLength: 240, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_teams", x => x.id);
                    table.ForeignKey(
                        name: "fk_teams_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    destination_id = table.Column<Guid>(type: "uuid", nullable: false),
                    interval = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_paused_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    end_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    schema = table.Column<string>(type: "jsonb", nullable: true),
                    model = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    filters = table.Column<string>(type: "jsonb", nullable: true),
                    timezone = table.Column<string>(type: "character varying(240)", maxLength: 240, nullable: false),
                    interval_offset = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_exports", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_exports_batch_export_destinations_destination_id",
                        column: x => x.destination_id,
                        principalTable: "batch_export_destinations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_batch_exports_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    uuid = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    current_team_id = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                    table.ForeignKey(
                        name: "fk_users_teams_current_team_id",
                        column: x => x.current_team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "batch_export_backfills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    batch_export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    end_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    total_records_count = table.Column<long>(type: "bigint", nullable: true),
                    adjusted_start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_interval_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_backfills", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_export_backfills_batch_exports_batch_export_id",
                        column: x => x.batch_export_id,
                        principalTable: "batch_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_batch_export_backfills_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_export_log_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    batch_export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    instance_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    level = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_log_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_export_log_entries_batch_exports_batch_export_id",
                        column: x => x.batch_export_id,
                        principalTable: "batch_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_export_schedules",
                columns: table => new
                {
                    batch_export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    interval = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    timezone = table.Column<string>(type: "character varying(240)", maxLength: 240, nullable: false),
                    interval_offset = table.Column<int>(type: "integer", nullable: true),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    end_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_boundary = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_firing_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_schedules", x => x.batch_export_id);
                    table.ForeignKey(
                        name: "fk_batch_export_schedules_batch_exports_batch_export_id",
                        column: x => x.batch_export_id,
                        principalTable: "batch_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "organization_memberships",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    level = table.Column<short>(type: "smallint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organization_memberships", x => x.id);
                    table.ForeignKey(
                        name: "fk_organization_memberships_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_organization_memberships_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "personal_api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    label = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    mask_value = table.Column<string>(type: "character varying(11)", maxLength: 11, nullable: false),
                    secure_value = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    scoped_teams = table.Column<int[]>(type: "integer[]", nullable: true),
                    scoped_organizations = table.Column<string[]>(type: "text[]", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_personal_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_personal_api_keys_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_export_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    batch_export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    records_completed = table.Column<int>(type: "integer", nullable: true),
                    records_failed = table.Column<int>(type: "integer", nullable: true),
                    latest_error = table.Column<string>(type: "text", nullable: true),
                    data_interval_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    data_interval_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cursor = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    records_total_count = table.Column<long>(type: "bigint", nullable: true),
                    bytes_exported = table.Column<long>(type: "bigint", nullable: true),
                    backfill_id = table.Column<Guid>(type: "uuid", nullable: true),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_export_runs_batch_export_backfills_backfill_id",
                        column: x => x.backfill_id,
                        principalTable: "batch_export_backfills",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_batch_export_runs_batch_exports_batch_export_id",
                        column: x => x.batch_export_id,
                        principalTable: "batch_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_backfills_batch_export_id_created_at",
                table: "batch_export_backfills",
                columns: new[] { "batch_export_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_backfills_team_id_status",
                table: "batch_export_backfills",
                columns: new[] { "team_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_log_entries_batch_export_id_timestamp",
                table: "batch_export_log_entries",
                columns: new[] { "batch_export_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_log_entries_instance_id_timestamp",
                table: "batch_export_log_entries",
                columns: new[] { "instance_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_runs_batch_export_id_created_at",
                table: "batch_export_runs",
                columns: new[] { "batch_export_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_runs_batch_export_id_data_interval_start",
                table: "batch_export_runs",
                columns: new[] { "batch_export_id", "data_interval_start" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_runs_claimable",
                table: "batch_export_runs",
                column: "next_attempt_at",
                filter: "status IN ('Starting', 'Running')");

            migrationBuilder.CreateIndex(
                name: "ux_batch_export_runs_backfill_interval",
                table: "batch_export_runs",
                columns: new[] { "backfill_id", "data_interval_end" },
                unique: true,
                filter: "backfill_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ux_batch_export_runs_scheduled_interval",
                table: "batch_export_runs",
                columns: new[] { "batch_export_id", "data_interval_end" },
                unique: true,
                filter: "backfill_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_schedules_due",
                table: "batch_export_schedules",
                column: "next_firing_at",
                filter: "NOT paused");

            migrationBuilder.CreateIndex(
                name: "ix_batch_exports_destination_id",
                table: "batch_exports",
                column: "destination_id");

            migrationBuilder.CreateIndex(
                name: "ix_batch_exports_team_id_created_at",
                table: "batch_exports",
                columns: new[] { "team_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_events_team_id_inserted_at",
                table: "events",
                columns: new[] { "team_id", "inserted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_events_team_id_timestamp",
                table: "events",
                columns: new[] { "team_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_organization_memberships_organization_id_user_id",
                table: "organization_memberships",
                columns: new[] { "organization_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_organization_memberships_user_id",
                table: "organization_memberships",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_person_distinct_ids_team_id_inserted_at",
                table: "person_distinct_ids",
                columns: new[] { "team_id", "inserted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_person_distinct_ids_team_id_person_id",
                table: "person_distinct_ids",
                columns: new[] { "team_id", "person_id" });

            migrationBuilder.CreateIndex(
                name: "ix_personal_api_keys_secure_value",
                table: "personal_api_keys",
                column: "secure_value",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_personal_api_keys_user_id",
                table: "personal_api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_persons_team_id_inserted_at",
                table: "persons",
                columns: new[] { "team_id", "inserted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_team_id_end_timestamp",
                table: "sessions",
                columns: new[] { "team_id", "end_timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_team_id_inserted_at",
                table: "sessions",
                columns: new[] { "team_id", "inserted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_team_id_start_timestamp",
                table: "sessions",
                columns: new[] { "team_id", "start_timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_teams_organization_id",
                table: "teams",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_teams_uuid",
                table: "teams",
                column: "uuid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_current_team_id",
                table: "users",
                column: "current_team_id");

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_export_log_entries");

            migrationBuilder.DropTable(
                name: "batch_export_runs");

            migrationBuilder.DropTable(
                name: "batch_export_schedules");

            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "organization_memberships");

            migrationBuilder.DropTable(
                name: "person_distinct_ids");

            migrationBuilder.DropTable(
                name: "personal_api_keys");

            migrationBuilder.DropTable(
                name: "persons");

            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "batch_export_backfills");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "batch_exports");

            migrationBuilder.DropTable(
                name: "batch_export_destinations");

            migrationBuilder.DropTable(
                name: "teams");

            migrationBuilder.DropTable(
                name: "organizations");
        }
    }
}
