/**
 * Ten days of daily observations from five Norwegian weather stations, with five records
 * broken the way real feeds break (a missing station id, a sign slip, a typo, a day that does
 * not exist, text in a number column), so a first run shows quarantine and lineage at work.
 * Kept as a string: the Next.js server bundle cannot read files next to its modules.
 */
export const WEATHER_OBSERVATIONS_CSV = `\
station_id,station_name,date,max_temp_c,min_temp_c,precipitation_mm,wind_speed_ms
SN18700,Oslo - Blindern,2026-11-01,3.8,1.2,0.0,1.8
SN50540,Bergen - Florida,2026-11-01,8.2,4.7,4.3,5.8
SN68860,Trondheim - Voll,2026-11-01,1.0,-1.4,2.4,10.1
SN90450,Tromsø,2026-11-01,-1.4,-4.3,0.0,11.4
SN44640,Stavanger - Våland,2026-11-01,8.9,5.3,0.0,1.5
SN18700,Oslo - Blindern,2026-11-02,6.7,3.5,2.6,10.0
SN50540,Bergen - Florida,2026-11-02,6.3,2.0,0.0,5.1
,Trondheim - Voll,2026-11-02,3.6,1.3,3.8,3.3
SN90450,Tromsø,2026-11-02,1.6,-2.1,0.2,4.3
SN44640,Stavanger - Våland,2026-11-02,10.1,5.3,2.1,7.3
SN18700,Oslo - Blindern,2026-11-03,4.9,-0.6,0.0,4.2
SN50540,Bergen - Florida,2026-11-03,10.7,8.2,6.2,6.4
SN68860,Trondheim - Voll,2026-11-03,0.8,-3.9,0.0,7.3
SN90450,Tromsø,2026-11-03,2.7,-0.6,-1.2,7.5
SN44640,Stavanger - Våland,2026-11-03,8.9,5.1,0.0,11.4
SN18700,Oslo - Blindern,2026-11-04,4.6,-0.1,0.7,8.7
SN50540,Bergen - Florida,2026-11-04,8.9,2.9,0.0,4.1
SN68860,Trondheim - Voll,2026-11-04,2.7,-2.0,1.0,2.3
SN90450,Tromsø,2026-11-04,-1.8,-6.9,3.7,3.7
SN44640,Stavanger - Våland,2026-11-04,7.9,2.4,0.0,10.7
SN18700,Oslo - Blindern,2026-11-05,6.5,1.0,2.2,5.6
SN50540,Bergen - Florida,2026-11-05,71.3,1.8,0.0,2.7
SN68860,Trondheim - Voll,2026-11-05,1.6,-1.3,0.0,3.9
SN90450,Tromsø,2026-11-05,-2.1,-5.8,3.6,7.2
SN44640,Stavanger - Våland,2026-11-05,10.9,6.1,0.0,1.6
SN18700,Oslo - Blindern,2026-11-06,6.9,1.8,0.0,9.8
SN50540,Bergen - Florida,2026-11-06,7.5,3.9,0.0,8.0
SN68860,Trondheim - Voll,2026-11-06,0.9,-1.4,3.5,1.6
SN90450,Tromsø,2026-11-06,-2.1,-4.7,5.7,5.0
SN44640,Stavanger - Våland,2026-11-06,5.8,0.3,0.0,2.6
SN18700,Oslo - Blindern,2026-11-07,3.4,0.0,3.8,11.9
SN50540,Bergen - Florida,2026-11-07,7.9,4.0,14.1,2.1
SN68860,Trondheim - Voll,2026-11-31,2.5,-0.6,0.0,2.8
SN90450,Tromsø,2026-11-07,-2.0,-7.8,5.6,1.3
SN44640,Stavanger - Våland,2026-11-07,8.6,2.7,0.0,8.7
SN18700,Oslo - Blindern,2026-11-08,3.4,-0.1,3.2,9.5
SN50540,Bergen - Florida,2026-11-08,8.2,3.1,7.8,11.8
SN68860,Trondheim - Voll,2026-11-08,5.3,0.1,0.0,9.1
SN90450,Tromsø,2026-11-08,-0.9,-5.0,9.0,1.3
SN44640,Stavanger - Våland,2026-11-08,5.9,2.8,0.6,5.9
SN18700,Oslo - Blindern,2026-11-09,7.2,1.2,0.0,5.0
SN50540,Bergen - Florida,2026-11-09,6.5,3.6,0.0,3.2
SN68860,Trondheim - Voll,2026-11-09,4.0,-1.6,0.0,6.3
SN90450,Tromsø,2026-11-09,1.5,-3.7,0.0,9.6
SN44640,Stavanger - Våland,2026-11-09,9.8,5.9,0.0,calm
SN18700,Oslo - Blindern,2026-11-10,3.8,-1.4,0.0,5.4
SN50540,Bergen - Florida,2026-11-10,7.5,1.7,0.0,2.9
SN68860,Trondheim - Voll,2026-11-10,1.3,-1.3,0.0,9.9
SN90450,Tromsø,2026-11-10,-1.3,-6.6,0.0,8.2
SN44640,Stavanger - Våland,2026-11-10,7.6,3.4,17.5,8.1
`;
