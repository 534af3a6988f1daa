/**
 * Fernbridge and the Vale as its council's directory publishes it: the organisations, venues and services of the
 * sandbox's Open Referral UK feed (fictional; phone numbers in Ofcom's drama range, coordinates around a made-up
 * town). Rows say what a real directory would hold, including its faults: services nobody has checked for over a
 * year, closed ones, and one record a publisher got wrong.
 */

export interface Venue {
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly lat?: number;
  readonly lon?: number;
  readonly access?: string;
}

export const VENUES = {
  centre: { name: 'Fernbridge Community Centre', address: '12 Mill Lane', postcode: 'FB1 2AB', lat: 52.2052, lon: -1.6021, access: 'Step-free entrance, hearing loop, accessible toilet' },
  library: { name: 'Fernbridge Library', address: '1 Market Square', postcode: 'FB1 1AA', lat: 52.2071, lon: -1.5994, access: 'Lift to all floors' },
  advice: { name: 'Vale Advice Centre', address: '8 Station Road', postcode: 'FB1 3CD', lat: 52.2030, lon: -1.5950, access: 'Ground floor interview rooms' },
  leisure: { name: 'Fernbridge Leisure Centre', address: 'Riverside Park', postcode: 'FB2 5EF', lat: 52.2120, lon: -1.6105, access: 'Pool hoist, changing places toilet' },
  allotments: { name: 'Brook Street Allotments', address: 'Brook Street', postcode: 'FB1 4AA', lat: 52.2010, lon: -1.6080, access: 'Raised beds for wheelchair users' },
  church: { name: "St Anne's Church Hall", address: '3 Church Walk', postcode: 'FB3 7GH', lat: 52.2155, lon: -1.5880 },
  valeHall: { name: 'Lower Vale Village Hall', address: 'The Green, Lower Vale', postcode: 'FB7 9JK', lat: 52.1602, lon: -1.6540, access: 'Step-free entrance' },
  ashby: { name: 'Ashby Green Hub', address: '40 Ashby Road', postcode: 'FB5 2LM', lat: 52.2330, lon: -1.5620 },
  museum: { name: 'Fernbridge Museum', address: 'Castle Street', postcode: 'FB1 6NP', lat: 52.2060, lon: -1.6040, access: 'Lift; loan wheelchairs' },
  online: { name: 'Online and telephone' , address: 'No public address', postcode: 'FB1 0ZZ' },
} as const satisfies Record<string, Venue>;
export type VenueKey = keyof typeof VENUES;

export const ORGS = {
  goodNeighbours: { name: 'Good Neighbours Fernbridge', charity: '1100001' },
  advice: { name: 'Fernbridge and Vale Advice', charity: '1100002' },
  valeHousing: { name: 'Vale Housing Trust', charity: '1100003' },
  foodbank: { name: 'Vale Food Bank', charity: '1100004' },
  leisure: { name: 'Fernbridge Leisure Trust', charity: '1100005' },
  openStudio: { name: 'Open Studio Arts', charity: '1100006' },
  carers: { name: 'Westshire Carers', charity: '1100007' },
  calmWaters: { name: 'Calm Waters Wellbeing', charity: '1100008' },
  library: { name: 'Westshire Libraries', charity: undefined },
  greenRoots: { name: 'Green Roots Growing', charity: '1100009' },
  ageWell: { name: 'Age Well Westshire', charity: '1100010' },
  mind: { name: 'Westshire Mental Health Alliance', charity: '1100011' },
  churches: { name: 'Fernbridge Churches Together', charity: '1100012' },
  lowerVale: { name: 'Lower Vale Parish Council', charity: undefined },
  migrant: { name: 'Westshire Refugee and Migrant Forum', charity: '1100013' },
  transport: { name: 'Vale Community Transport', charity: '1100014' },
} as const;
export type OrgKey = keyof typeof ORGS;

export interface AreaService {
  readonly slug: string;
  readonly name: string;
  readonly org: OrgKey;
  /** Taxonomy terms as the council classifies them (its "Needs" list). */
  readonly terms: readonly string[];
  readonly venue?: VenueKey;
  readonly about: string;
  /** e.g. "TU,FR 10:00-11:30"; "monthly 1SA 10:00-12:00" for monthly rules. */
  readonly when: string;
  readonly minAge?: number;
  readonly maxAge?: number;
  /** Days since the council last checked the entry (assured_date); over a year is stale. */
  readonly checked: number;
  readonly status?: 'temporarily closed' | 'defunct' | 'inactive';
  /** The provider has told SP Link it is not taking new referrals (a capacity update, not part of the feed). */
  readonly full?: { readonly waitDays: number };
  readonly cost?: string;
  readonly languages?: readonly string[];
}

const S = (slug: string, name: string, org: OrgKey, terms: string[], venue: VenueKey | undefined, about: string, when: string, checked: number, more: Partial<AreaService> = {}): AreaService =>
  ({ slug, name, org, terms, ...(venue ? { venue } : {}), about, when, checked, ...more });

export const AREA_SERVICES: readonly AreaService[] = [
  S('befriending-phone', 'Telephone befriending', 'goodNeighbours', ['Loneliness', 'Befriending'], 'online', 'A weekly friendly phone call from a trained volunteer.', 'MO,TU,WE,TH,FR 10:00-16:00', 40, { minAge: 60 }),
  S('befriending-visits', 'Home visiting befriending', 'goodNeighbours', ['Loneliness', 'Social isolation', 'Befriending'], undefined, 'A volunteer visits at home once a week for a cup of tea and a chat.', 'MO,TU,WE,TH,FR 10:00-16:00', 65, { minAge: 60, full: { waitDays: 56 } }),
  S('lunch-club', 'Friday lunch club', 'ageWell', ['Loneliness', 'Social activities', 'Food'], 'church', 'A two-course hot lunch and good company; transport can be arranged.', 'FR 12:00-14:00', 30, { cost: '£4.50 per meal', minAge: 55 }),
  S('coffee-morning', 'Wednesday coffee morning', 'churches', ['Social isolation', 'Social activities'], 'church', 'Drop in for coffee, cake and conversation. Everyone welcome.', 'WE 10:00-12:00', 120),
  S('mens-shed', "Fernbridge Men's Shed", 'goodNeighbours', ['Loneliness', 'Social isolation', 'Mental wellbeing'], 'allotments', 'Woodwork, repairs and conversation in a friendly workshop. Open to all genders.', 'TU,TH 09:30-14:00', 25, { minAge: 18 }),
  S('knit-natter', 'Knit and natter', 'library', ['Social activities', 'Social isolation'], 'library', 'Bring your knitting or learn from scratch; wool provided.', 'MO 14:00-16:00', 500),
  S('vale-social', 'Lower Vale social club', 'lowerVale', ['Loneliness', 'Social activities'], 'valeHall', 'Bingo, quizzes and a monthly trip for people in the villages.', 'TH 13:30-16:00', 90),
  S('ashby-cafe', 'Ashby Green community cafe', 'churches', ['Social isolation', 'Food'], 'ashby', 'Pay-as-you-feel cafe run by volunteers, with a free hot drink for newcomers.', 'TU,WE,TH 09:00-14:00', 20),
  S('debt-advice', 'Money and debt advice', 'advice', ['Debt advice', 'Money worries'], 'advice', 'Free, confidential debt advice: budgeting, priority debts, energy arrears and repayment plans.', 'MO,WE,FR 09:30-15:30', 15),
  S('debt-phone', 'Debt advice line', 'advice', ['Debt advice'], 'online', 'Telephone debt advice for people who cannot get to the centre.', 'MO,TU,WE,TH,FR 09:00-17:00', 45, { full: { waitDays: 35 } }),
  S('benefits-checks', 'Welfare rights and benefits checks', 'advice', ['Welfare benefits', 'Universal Credit'], 'advice', 'Benefit entitlement checks, help with forms, mandatory reconsiderations and appeals.', 'TU,TH 09:30-16:00', 10),
  S('pip-forms', 'PIP and attendance allowance form help', 'ageWell', ['Welfare benefits', 'Disability'], 'library', 'Volunteers help fill in disability benefit forms, at the library or at home.', 'WE 10:00-13:00', 200),
  S('energy-advice', 'Warm homes and energy advice', 'advice', ['Money worries', 'Housing'], 'advice', 'Help with energy bills, grants for insulation and boiler repairs, and warm home discount claims.', 'TH 10:00-15:00', 420),
  S('housing-dropin', 'Housing advice drop-in', 'valeHousing', ['Housing', 'Homelessness'], 'advice', 'Advice on disrepair, rent arrears, eviction and homelessness applications.', 'TU 10:00-13:00', 12),
  S('tenancy-support', 'Tenancy sustainment service', 'valeHousing', ['Housing', 'Money worries'], undefined, 'Support workers help tenants at risk of losing their home to keep their tenancy.', 'MO,TU,WE,TH,FR 09:00-17:00', 60, { full: { waitDays: 42 } }),
  S('homeless-outreach', 'Street outreach team', 'valeHousing', ['Homelessness'], undefined, 'Early-morning outreach to people sleeping rough, with a route into emergency accommodation.', 'MO,TU,WE,TH,FR,SA,SU 06:00-10:00', 33),
  S('food-bank', 'Vale Food Bank', 'foodbank', ['Food', 'Money worries'], 'centre', 'Three days of emergency food, plus signposting to advice on the causes of crisis.', 'MO,TH 12:00-15:00', 8),
  S('food-bank-ashby', 'Vale Food Bank: Ashby Green', 'foodbank', ['Food'], 'ashby', 'Emergency food parcels at the Ashby Green hub.', 'SA 10:00-12:00', 50),
  S('community-pantry', 'Ashby community pantry', 'churches', ['Food', 'Money worries'], 'ashby', 'Weekly membership pantry: ten items for £3.50.', 'WE 15:00-18:00', 150, { cost: '£3.50 per visit' }),
  S('cook-eat', 'Cook and Eat Together', 'foodbank', ['Healthy eating', 'Cooking', 'Social isolation'], 'centre', 'Six-week course cooking cheap, healthy meals, then eating together.', 'FR 11:00-13:30', 70, { full: { waitDays: 49 } }),
  S('walking-group', 'Healthy Steps walking group', 'leisure', ['Physical activity', 'Walking', 'Social isolation'], 'leisure', 'Gentle 45-minute led walks along the canal, finishing with tea.', 'TU,FR 10:30-11:30', 18),
  S('exercise-referral', 'Exercise on referral', 'leisure', ['Physical activity', 'Long-term condition', 'Weight'], 'leisure', 'A 12-week supervised gym and swim programme at a reduced price.', 'MO,TU,WE,TH,FR 08:00-20:00', 35, { cost: '£2 per session', minAge: 18, full: { waitDays: 42 } }),
  S('chair-exercise', 'Seated exercise class', 'ageWell', ['Physical activity', 'Falls prevention'], 'church', 'Strength and balance exercises done seated; suitable after a fall.', 'TH 11:00-12:00', 55, { minAge: 60 }),
  S('swim-55', 'Over-55s swimming', 'leisure', ['Physical activity'], 'leisure', 'Quiet lane swimming with a lifeguard and a cuppa afterwards.', 'MO,WE 09:00-10:30', 400, { cost: '£3', minAge: 55 }),
  S('parkrun-walk', 'Couch to 5k walkers', 'leisure', ['Physical activity', 'Walking'], 'leisure', 'A supportive group building up from walking to running over nine weeks.', 'SA 09:00-10:00', 28),
  S('dance-health', 'Dance for health', 'openStudio', ['Physical activity', 'Mental wellbeing'], 'centre', 'Friendly dance sessions for people living with long-term conditions.', 'WE 14:00-15:00', 75),
  S('stop-smoking', 'Stop smoking service', 'leisure', ['Smoking', 'Healthy lifestyle'], 'library', 'Twelve weeks of support and free nicotine replacement.', 'MO,TH 09:00-17:00', 22),
  S('weight-group', 'Healthy weight group', 'leisure', ['Weight', 'Healthy eating'], 'centre', 'A ten-week group on eating well and moving more.', 'TU 18:00-19:30', 95),
  S('alcohol-support', 'Alcohol support drop-in', 'mind', ['Alcohol', 'Mental wellbeing'], 'advice', 'Confidential support to cut down or stop drinking.', 'WE 13:00-16:00', 40),
  S('arts-prescription', 'Arts on prescription', 'openStudio', ['Arts and culture', 'Mental wellbeing'], 'centre', 'A ten-week painting, print and collage course for people with low mood or anxiety.', 'WE 13:30-15:30', 26, { minAge: 18 }),
  S('community-choir', 'Sing for your life community choir', 'openStudio', ['Arts and culture', 'Loneliness'], 'church', 'No auditions and no need to read music: just come and sing.', 'MO 19:00-20:30', 110),
  S('museum-memories', 'Museum memories group', 'ageWell', ['Arts and culture', 'Dementia', 'Social isolation'], 'museum', 'Reminiscence sessions with objects from the collection, for people with dementia and their carers.', 'monthly 2TU 10:30-12:00', 80),
  S('creative-writing', 'Write it down: creative writing', 'library', ['Arts and culture', 'Mental wellbeing'], 'library', 'A gentle writing group for wellbeing; no experience needed.', 'TH 18:00-19:30', 380, { status: 'temporarily closed' }),
  S('carers-support', 'Carers support and breaks', 'carers', ['Carers', 'Carer breaks'], 'online', 'Carers assessments, a carers card, peer support groups and short breaks.', 'MO,TU,WE,TH,FR 09:00-17:00', 14),
  S('young-carers', 'Young carers club', 'carers', ['Carers', 'Young people'], 'centre', 'Fun, breaks and someone to talk to for carers aged 8 to 17.', 'TU 16:00-18:00', 48, { minAge: 8, maxAge: 17 }),
  S('dementia-carers', 'Dementia carers cafe', 'carers', ['Carers', 'Dementia'], 'church', 'A monthly cafe for carers of people with dementia, with a guest speaker.', 'monthly 1WE 14:00-16:00', 130),
  S('calm-hub', 'Calm Waters wellbeing hub', 'calmWaters', ['Mental wellbeing', 'Anxiety', 'Stress'], 'centre', 'Drop-in wellbeing cafe, six-week stress control course and peer support.', 'MO,WE 17:00-20:00', 9, { minAge: 18 }),
  S('stress-control', 'Stress control course', 'mind', ['Mental wellbeing', 'Stress', 'Anxiety'], 'library', 'A six-session evening course teaching skills to manage stress.', 'TH 18:30-20:00', 52, { full: { waitDays: 63 } }),
  S('peer-support', 'Peer support group for low mood', 'mind', ['Mental wellbeing', 'Depression'], 'ashby', 'Share experiences with others who understand, facilitated by trained peers.', 'TU 18:00-19:30', 68),
  S('counselling', 'Talking Together low-cost counselling', 'calmWaters', ['Mental wellbeing', 'Counselling'], 'centre', 'Up to twelve sessions of counselling with a qualified counsellor.', 'MO,TU,WE,TH 10:00-18:00', 36, { cost: 'Pay what you can', full: { waitDays: 84 } }),
  S('mindfulness', 'Mindfulness for beginners', 'calmWaters', ['Mental wellbeing', 'Stress'], 'online', 'An eight-week online mindfulness course.', 'SU 19:00-20:30', 600, { status: 'defunct' }),
  S('bereavement', 'Forget-me-not bereavement support', 'calmWaters', ['Bereavement'], 'centre', 'One-to-one bereavement listening and a monthly group.', 'TH 10:00-16:00', 44, { minAge: 18 }),
  S('bereavement-cafe', 'Bereavement cafe', 'churches', ['Bereavement', 'Loneliness'], 'church', 'A space to talk about loss over tea, run by trained volunteers.', 'monthly 3SA 10:00-12:00', 160),
  S('job-club', 'Next Step job club', 'advice', ['Employment', 'Training'], 'library', 'One-to-one job coaching, CV help and interview practice.', 'TU,WE,TH 09:30-16:30', 16, { minAge: 18, maxAge: 66 }),
  S('volunteering', 'Volunteer Westshire brokerage', 'goodNeighbours', ['Volunteering', 'Employment'], 'online', 'Find a volunteering role that fits your interests and time.', 'MO,TU,WE,TH,FR 10:00-15:00', 85),
  S('adult-learning', 'Adult learning: English and maths', 'library', ['Training', 'Employment'], 'library', 'Free functional skills courses for adults.', 'MO,WE 13:00-15:00', 430),
  S('get-online', 'Get Online Fernbridge', 'library', ['Digital skills', 'Getting online'], 'library', 'Free tablet loans, data SIMs and weekly help sessions: email, video calls, NHS App.', 'MO,FR 10:00-12:00', 11),
  S('digital-buddies', 'Digital buddies at home', 'ageWell', ['Digital skills', 'Loneliness'], undefined, 'A volunteer helps you get online at home, at your own pace.', 'MO,TU,WE,TH,FR 10:00-16:00', 58, { minAge: 60 }),
  S('gardening', 'Green Roots therapeutic gardening', 'greenRoots', ['Gardening', 'Mental wellbeing', 'Physical activity'], 'allotments', 'Grow food and flowers together on a shared allotment; tools and tea provided.', 'WE,SA 10:00-13:00', 21),
  S('conservation', 'Vale conservation volunteers', 'greenRoots', ['Nature', 'Volunteering', 'Physical activity'], 'valeHall', 'Hedge-laying, path clearing and tree planting in the countryside around the Vale.', 'SU 10:00-15:00', 140),
  S('nature-walks', 'Wild wellbeing nature walks', 'greenRoots', ['Nature', 'Walking', 'Mental wellbeing'], 'valeHall', 'Slow walks noticing nature, with a trained guide.', 'monthly 2SA 10:00-12:00', 470),
  S('dial-a-ride', 'Dial-a-Ride community transport', 'transport', ['Transport', 'Social isolation'], undefined, 'Door-to-door minibus for shopping, appointments and social groups; book two days ahead.', 'MO,TU,WE,TH,FR 08:30-16:30', 19),
  S('hospital-car', 'Volunteer car scheme', 'transport', ['Transport'], undefined, 'Volunteer drivers take you to health appointments for a mileage charge.', 'MO,TU,WE,TH,FR 08:00-18:00', 63, { cost: '45p per mile' }),
  S('immigration-advice', 'Immigration advice clinic', 'migrant', ['Immigration', 'Legal advice'], 'advice', 'Free advice from a regulated adviser on immigration and asylum questions.', 'TH 10:00-13:00', 37, { languages: ['en', 'ar', 'uk'] }),
  S('esol-conversation', 'English conversation club', 'migrant', ['Language', 'Social isolation'], 'library', 'Practise spoken English in a relaxed group.', 'SA 11:00-12:30', 76, { languages: ['en', 'ar', 'pl', 'uk'] }),
  S('legal-clinic', 'Free legal advice evening', 'advice', ['Legal advice'], 'advice', 'Twenty-minute appointments with volunteer solicitors on family, housing and employment law.', 'monthly 1TU 18:00-20:00', 105),
  S('family-support', 'Family support service', 'churches', ['Family support', 'Parenting'], 'ashby', 'Practical and emotional support for families going through a hard time.', 'MO,TU,WE,TH,FR 09:00-17:00', 54),
  S('relationship-counselling', 'Relationship counselling', 'calmWaters', ['Relationships'], 'centre', 'Counselling for couples and families.', 'TU,TH 10:00-20:00', 410, { cost: 'Sliding scale' }),
  S('pain-group', 'Living well with pain', 'mind', ['Long-term condition', 'Pain'], 'library', 'A peer group sharing ways to live well with persistent pain.', 'monthly -1FR 14:00-16:00', 88),
  S('diabetes-group', 'Diabetes support group', 'ageWell', ['Long-term condition', 'Diabetes'], 'centre', 'Monthly meetings with talks from nurses and dietitians.', 'monthly 3TU 14:00-16:00', 115),
  S('stroke-club', 'Stroke survivors club', 'ageWell', ['Long-term condition', 'Stroke'], 'valeHall', 'A social club for people recovering from stroke and their families.', 'WE 13:30-15:30', 46, { status: 'temporarily closed' }),
  S('good-grief', 'Good Grief walking group', 'churches', ['Bereavement', 'Walking'], 'church', 'A short walk and a chat for people who have lost someone.', 'SU 14:00-15:30', 390, { status: 'inactive' }),
];

/** One record as a publisher sometimes gets it wrong: no name, a status outside the profile's list. */
export const MALFORMED_SERVICE_ID = 'f3b0c6d2-0000-4000-8000-00000000bad1';
