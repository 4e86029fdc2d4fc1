using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchExports.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class FileDownloads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "batch_export_id",
                table: "batch_export_runs",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "batch_export_on_demand_id",
                table: "batch_export_runs",
                type: "uuid",
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "batch_export_id",
                table: "batch_export_log_entries",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "batch_export_on_demand_id",
                table: "batch_export_log_entries",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_export_file_downloads",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    batch_export_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    removed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_file_downloads", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_export_file_downloads_batch_export_runs_batch_export_~",
                        column: x => x.batch_export_run_id,
                        principalTable: "batch_export_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_batch_export_file_downloads_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_export_on_demands",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<int>(type: "integer", nullable: false),
                    destination_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    filters = table.Column<string>(type: "jsonb", nullable: true),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_export_on_demands", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_export_on_demands_batch_export_destinations_destinati~",
                        column: x => x.destination_id,
                        principalTable: "batch_export_destinations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_batch_export_on_demands_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_runs_batch_export_on_demand_id_created_at",
                table: "batch_export_runs",
                columns: new[] { "batch_export_on_demand_id", "created_at" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_batch_export_runs_one_parent",
                table: "batch_export_runs",
                sql: "(batch_export_id IS NULL) <> (batch_export_on_demand_id IS NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_log_entries_batch_export_on_demand_id_timestamp",
                table: "batch_export_log_entries",
                columns: new[] { "batch_export_on_demand_id", "timestamp" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_batch_export_log_entries_one_source",
                table: "batch_export_log_entries",
                sql: "(batch_export_id IS NULL) <> (batch_export_on_demand_id IS NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_file_downloads_batch_export_run_id_key",
                table: "batch_export_file_downloads",
                columns: new[] { "batch_export_run_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_file_downloads_expiring",
                table: "batch_export_file_downloads",
                column: "expires_at",
                filter: "removed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_file_downloads_team_id_key",
                table: "batch_export_file_downloads",
                columns: new[] { "team_id", "key" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_on_demands_destination_id",
                table: "batch_export_on_demands",
                column: "destination_id");

            migrationBuilder.CreateIndex(
                name: "ix_batch_export_on_demands_team_id_created_at",
                table: "batch_export_on_demands",
                columns: new[] { "team_id", "created_at" });

            migrationBuilder.AddForeignKey(
                name: "fk_batch_export_log_entries_batch_export_on_demands_batch_expo~",
                table: "batch_export_log_entries",
                column: "batch_export_on_demand_id",
                principalTable: "batch_export_on_demands",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_batch_export_runs_batch_export_on_demands_batch_export_on_d~",
                table: "batch_export_runs",
                column: "batch_export_on_demand_id",
                principalTable: "batch_export_on_demands",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_batch_export_log_entries_batch_export_on_demands_batch_expo~",
                table: "batch_export_log_entries");

            migrationBuilder.DropForeignKey(
                name: "fk_batch_export_runs_batch_export_on_demands_batch_export_on_d~",
                table: "batch_export_runs");

            migrationBuilder.DropTable(
                name: "batch_export_file_downloads");

            migrationBuilder.DropTable(
                name: "batch_export_on_demands");

            migrationBuilder.DropIndex(
                name: "ix_batch_export_runs_batch_export_on_demand_id_created_at",
                table: "batch_export_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_batch_export_runs_one_parent",
                table: "batch_export_runs");

            migrationBuilder.DropIndex(
                name: "ix_batch_export_log_entries_batch_export_on_demand_id_timestamp",
                table: "batch_export_log_entries");

            migrationBuilder.DropCheckConstraint(
                name: "ck_batch_export_log_entries_one_source",
                table: "batch_export_log_entries");

            migrationBuilder.DropColumn(
                name: "batch_export_on_demand_id",
                table: "batch_export_runs");

            migrationBuilder.DropColumn(
                name: "batch_export_on_demand_id",
                table: "batch_export_log_entries");

            migrationBuilder.AlterColumn<Guid>(
                name: "batch_export_id",
                table: "batch_export_runs",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "batch_export_id",
                table: "batch_export_log_entries",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
